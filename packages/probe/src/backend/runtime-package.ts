// What this package says about its model runtime. A leaf with no reference to node-llama-cpp's own
// types, so that the public declarations compile in a project that did not install it.

/** The model runtime: an optional peer dependency, loaded only when an embedded model is configured. */
export const LLAMA_RUNTIME = 'node-llama-cpp';

/** The version range of the runtime this package is built and tested against. */
export const LLAMA_RUNTIME_RANGE = '3.22.1';

/** Where the runtime computes: `false` is the CPU. */
export type LlamaGpu = false | 'auto' | 'cuda' | 'vulkan' | 'metal';
