import type { HttpBackendOptions } from './http.js';
import { createOpenAiCompletionsBackend } from './openai-completions.js';
import type { ProbeBackend } from './types.js';

/** Options of the vLLM backend. */
export interface VllmBackendOptions extends HttpBackendOptions {
  /** The served model name (the `model` field of requests). */
  readonly model: string;
}

/**
 * Creates a backend on vLLM's OpenAI-compatible completions API: the `vllm` flavor of
 * {@link createOpenAiCompletionsBackend} (echoed prompt log-probabilities, `POST /tokenize`).
 */
export function createVllmBackend(options: VllmBackendOptions): ProbeBackend {
  return createOpenAiCompletionsBackend({ ...options, flavor: 'vllm' });
}
