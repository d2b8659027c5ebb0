import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Llama } from 'node-llama-cpp';
import { ProbeErrorCode, probeError } from '../errors.js';
import { LLAMA_RUNTIME, LLAMA_RUNTIME_RANGE, type LlamaGpu } from './runtime-package.js';

type Runtime = typeof import('node-llama-cpp');

function missing(cause: unknown): Error {
  return probeError(
    ProbeErrorCode.RuntimeMissing,
    `the embedded model backend needs ${LLAMA_RUNTIME}, an optional peer dependency that is not installed: ` +
      `run \`npm i ${LLAMA_RUNTIME}@${LLAMA_RUNTIME_RANGE}\`, or use a llama.cpp server (createLlamaServerBackend)`,
    cause,
  );
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Where the runtime's entry lives (a file URL), for a child process that loads it; rejects with
 * `probe_runtime_missing` when it is not installed.
 */
export function llamaRuntimeUrl(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(LLAMA_RUNTIME)).href;
  } catch (err) {
    throw isNotFound(err) ? missing(err) : err;
  }
}

/**
 * Imports node-llama-cpp. Rejects with `probe_runtime_missing`, naming the package to install, when it
 * is absent; nothing else in this package imports it, so the root entry never loads it.
 */
export async function importLlamaRuntime(): Promise<Runtime> {
  try {
    return await import(LLAMA_RUNTIME);
  } catch (err) {
    throw isNotFound(err) ? missing(err) : err;
  }
}

const llamas = new Map<string, Promise<Llama>>();

/**
 * The process's node-llama-cpp instance for a GPU setting, created once. Share it: two instances in
 * one process were measured to halve each other's evaluation speed on a 2-core machine.
 */
export async function sharedLlama(gpu: LlamaGpu = false): Promise<Llama> {
  const key = String(gpu ?? false);
  let llama = llamas.get(key);
  if (llama === undefined) {
    const { getLlama } = await importLlamaRuntime();
    llama = getLlama({ gpu: gpu ?? false, build: 'never', logLevel: 'error' as never, progressLogs: false });
    llamas.set(key, llama);
    llama.catch(() => llamas.delete(key));
  }
  return llama;
}
