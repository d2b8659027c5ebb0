import { stat } from 'node:fs/promises';
import { isGovernedError } from '@governed-mcp/core';
import type {
  ControlledEvaluateInputItem,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import { ProbeErrorCode, probeError } from '../errors.js';
import { tokensAfter } from '../verbalizer.js';
import { checkGguf } from './gguf-check.js';
import { importLlamaRuntime, sharedLlama } from './llama-runtime.js';
import { loadInChild } from './load-check.js';
import type { LlamaGpu } from './runtime-package.js';
import type { BackendInfo, PreparedPrefix, ProbeBackend, ScoreRequest, ScoreResult } from './types.js';

/** Options of the embedded backend. Nothing is ever downloaded: the model is a local GGUF file. */
export interface LlamaCppBackendOptions {
  readonly modelPath: string;
  /** Threads per evaluation. Default 1 (small machines get far slower with more threads than cores). */
  readonly threads?: number;
  /** `false` (default) runs on the CPU; `'auto'` or a GPU type uses one when the user has it. */
  readonly gpu?: LlamaGpu;
  /** Tokens each sequence can hold (shared prefix + call + label). Default 4096. */
  readonly contextSize?: number;
  /** Sequences of the context, i.e. calls scored in one batch. Default 4. */
  readonly sequences?: number;
  /** Tokens per batch. Default: the library's (512). */
  readonly batchSize?: number;
  /** KV cache precision. Default F16; F32 makes results match float64 reference math to ~1e-6. */
  readonly kvCacheType?: 'F16' | 'F32';
  /**
   * Flash attention. Default false: with it, results vary slightly with batching and prefix reuse
   * (its kernels depend on the batch shape); without it they are bit-identical.
   */
  readonly flashAttention?: boolean;
  /**
   * Keep the shared prefix evaluated in every sequence and reuse it (default true). With false each
   * score evaluates prefix and call from scratch: slower, for comparisons and benchmarks.
   */
  readonly reusePrefix?: boolean;
  /**
   * Also load the model once in a child process before loading it here (default false), so that a
   * native abort the header checks did not foresee kills only the child. Costs one extra load.
   */
  readonly validateInChild?: boolean;
}

interface Slot {
  readonly seq: LlamaContextSequence;
  busy: boolean;
}

/** Context tokens a prefix must leave free for calls. */
const MIN_CALL_TOKENS = 64;

/** `log p(token)` over the full vocabulary, from a filtered logits map that also holds the top logit. */
function logProbability(
  next: { logits?: Map<Token, number>; totalLogitWeight?: number },
  token: number,
): number {
  const logits = next.logits;
  const total = next.totalLogitWeight;
  if (logits === undefined || total === undefined) throw new Error('the backend returned no logits');
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits.values()) if (v > max) max = v;
  const logit = logits.get(token as Token);
  if (logit === undefined) throw new Error(`no logit for token ${token}`);
  return logit - max - Math.log(total);
}

function probeItem(token: number, wanted: readonly number[]): ControlledEvaluateInputItem {
  return [
    token as Token,
    {
      generateNext: {
        logits: { filter: { tokens: wanted as Token[], includeTop: 1 } },
        totalLogitWeight: true,
      },
    },
  ];
}

/**
 * Creates the embedded backend on node-llama-cpp (imported lazily, on `open()`). The model file is
 * validated before llama.cpp sees it. Each sequence holds its own evaluated copy of the shared prefix;
 * a score appends the call's tokens, reads the labels' log-probabilities from that single forward pass,
 * and erases the call again, so the next call starts from the warm prefix.
 */
export function createLlamaCppBackend(options: LlamaCppBackendOptions): ProbeBackend {
  const sequences = options.sequences ?? 4;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(sequences) || sequences < 1)
    throw new RangeError('sequences must be a positive integer');
  if (!Number.isInteger(threads) || threads < 0)
    throw new RangeError('threads must be a non-negative integer');
  // Flash attention's kernels depend on the batch shape, so a call's result would depend on what it
  // was batched with and on prefix reuse (measured: ~1e-4 in log-probability). Off by default.
  const flashAttention = options.flashAttention ?? false;
  let model: LlamaModel | undefined;
  let context: LlamaContext | undefined;
  let slots: Slot[] = [];
  let opening: Promise<void> | undefined;
  const reusePrefix = options.reusePrefix ?? true;
  let prefixTokens: Token[] = [];
  /** Tokens that stay in a sequence between scores: the prefix when it is reused, else none. */
  let prefixLength = 0;
  let broken: Error | undefined;
  let closed = false;
  /** Size and mtime of the file, so a replaced model never reuses another's calibration. */
  let fingerprint = '';

  const tokenize = (text: string): Token[] => model!.tokenize(text, false, 'trimLeadingSpace');

  async function doOpen(): Promise<void> {
    // A missing runtime is reported first: no model file can help a project that lacks it.
    await importLlamaRuntime();
    await checkGguf(options.modelPath);
    if (options.validateInChild === true) await loadInChild(options.modelPath);
    const s = await stat(options.modelPath);
    fingerprint = `${s.size}:${s.mtimeMs}`;
    try {
      const llama = await sharedLlama(options.gpu);
      model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: options.gpu ? 'auto' : 0 });
      const kv =
        options.kvCacheType === undefined
          ? {}
          : {
              experimentalKvCacheKeyType: options.kvCacheType,
              experimentalKvCacheValueType: options.kvCacheType,
            };
      context = await model.createContext({
        sequences,
        threads,
        contextSize: options.contextSize ?? 4096,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...kv,
        flashAttention,
      });
      slots = Array.from({ length: sequences }, () => ({ seq: context!.getSequence(), busy: false }));
    } catch (err) {
      throw probeError(ProbeErrorCode.ModelInvalid, `model ${options.modelPath} failed to load`, err);
    }
  }

  function ensureUsable(): void {
    if (closed) throw probeError(ProbeErrorCode.BackendError, 'the backend is closed');
    if (broken !== undefined)
      throw probeError(ProbeErrorCode.BackendError, 'the backend failed earlier', broken);
    if (model === undefined || context === undefined) {
      throw probeError(ProbeErrorCode.BackendError, 'the backend is not open');
    }
  }

  async function rewind(seq: LlamaContextSequence, to: number): Promise<void> {
    if (seq.nextTokenIndex > to) await seq.eraseContextTokenRanges([{ start: to, end: seq.nextTokenIndex }]);
  }

  async function scoreOn(seq: LlamaContextSequence, request: ScoreRequest): Promise<ScoreResult> {
    const call = tokenize(request.text);
    const longest = Math.max(...request.labels.map((l) => l.length));
    if (call.length === 0) throw probeError(ProbeErrorCode.InvalidConfig, 'the call part has no tokens');
    if (prefixTokens.length + call.length + longest > seq.contextSize) {
      throw probeError(
        ProbeErrorCode.BackendError,
        `prompt of ${prefixTokens.length + call.length} tokens exceeds the context`,
      );
    }
    const firsts = [...new Set(request.labels.map((l) => l[0]!))];
    const items: ControlledEvaluateInputItem[] = reusePrefix
      ? call.slice(0, -1)
      : [...prefixTokens, ...call.slice(0, -1)];
    items.push(probeItem(call[call.length - 1]!, firsts));
    const out = await seq.controlledEvaluate(items);
    const next = out[items.length - 1]?.next;
    if (next === undefined) throw new Error('no result at the last prompt position');
    const logprobs: number[] = [];
    const end = prefixTokens.length + call.length;
    for (const label of request.labels) {
      let sum = logProbability(next, label[0]!);
      if (label.length > 1) {
        // Teacher-force the label's tokens; read each following token's probability; then roll back.
        const cont = label.slice(0, -1).map((t, i) => probeItem(t, [label[i + 1]!]));
        const res = await seq.controlledEvaluate(cont);
        for (let i = 0; i < cont.length; i++) {
          const step = res[i]?.next;
          if (step === undefined) throw new Error('no result inside a multi-token label');
          sum += logProbability(step, label[i + 1]!);
        }
        await rewind(seq, end);
      }
      logprobs.push(sum);
    }
    return { logprobs, callTokens: call.length };
  }

  return {
    describe(): BackendInfo {
      return { kind: 'llama-cpp', id: `llama-cpp:${options.modelPath}:${fingerprint}`, parallel: sequences };
    },
    open(): Promise<void> {
      opening ??= doOpen();
      return opening;
    },
    async labelTokens(cue, word, leadingSpace) {
      await this.open();
      ensureUsable();
      return tokensAfter(tokenize, cue, word, leadingSpace);
    },
    async prepare(prefix: string): Promise<PreparedPrefix> {
      await this.open();
      ensureUsable();
      const bos = model!.tokens.bos;
      const tokens: Token[] = model!.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
      tokens.push(...model!.tokenize(prefix, false));
      // A prefix that fills the context would be shifted out silently by the library; refuse it.
      if (tokens.length + MIN_CALL_TOKENS > context!.contextSize) {
        throw probeError(
          ProbeErrorCode.InvalidConfig,
          `the shared prefix takes ${tokens.length} of ${context!.contextSize} context tokens; leave at least ${MIN_CALL_TOKENS} for calls`,
        );
      }
      try {
        await Promise.all(
          slots.map(async ({ seq }) => {
            await rewind(seq, 0);
            if (reusePrefix) await seq.controlledEvaluate(tokens);
          }),
        );
      } catch (err) {
        broken = err as Error;
        throw probeError(ProbeErrorCode.BackendError, 'evaluating the shared prefix failed', err);
      }
      prefixTokens = tokens;
      prefixLength = reusePrefix ? tokens.length : 0;
      return { text: prefix, tokenCount: tokens.length };
    },
    async score(request: ScoreRequest): Promise<ScoreResult> {
      ensureUsable();
      if (request.signal.aborted) throw probeError(ProbeErrorCode.Timeout, 'aborted before evaluation');
      const slot = slots.find((s) => !s.busy);
      if (slot === undefined) throw probeError(ProbeErrorCode.Overloaded, 'no free sequence');
      slot.busy = true;
      try {
        return await scoreOn(slot.seq, request);
      } catch (err) {
        if (isGovernedError(err)) throw err;
        throw probeError(ProbeErrorCode.BackendError, `evaluation failed: ${(err as Error).message}`, err);
      } finally {
        try {
          await rewind(slot.seq, prefixLength);
          slot.busy = false;
        } catch (err) {
          // A sequence that cannot return to the prefix would corrupt later results: stop using the backend.
          broken = err as Error;
        }
      }
    },
    async close(): Promise<void> {
      closed = true;
      await context?.dispose();
      await model?.dispose();
    },
  };
}
