import { ProbeErrorCode, probeError } from '../errors.js';
import {
  createJsonClient,
  expectArray,
  expectNumber,
  expectObject,
  type HttpBackendOptions,
  remoteTokenizerMethods,
} from './http.js';
import type { BackendInfo, ProbeBackend, ScoreRequest, ScoreResult } from './types.js';

/** Options of the vLLM backend. */
export interface VllmBackendOptions extends HttpBackendOptions {
  /** The served model name (the `model` field of requests). */
  readonly model: string;
}

/** Length in code points: vLLM's `text_offset` counts Python string characters, not UTF-16 units. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Creates a backend on vLLM's OpenAI-compatible completions API. Exact per-label values: for each
 * label it sends `prompt + " " + label` with `echo: true`, `logprobs: 1`, `max_tokens: 1`, and sums
 * the echoed prompt log-probabilities of the tokens at or after the label's offset (`text_offset`).
 * Both labels are requested concurrently; vLLM's prefix caching keeps the shared prefix warm.
 */
export function createVllmBackend(options: VllmBackendOptions): ProbeBackend {
  const client = createJsonClient(options);
  const parallel = options.connections ?? 8;

  async function tokenize(prompt: string, special: boolean, signal: AbortSignal): Promise<number[]> {
    const body = { model: options.model, prompt, add_special_tokens: special };
    const res = expectObject(await client.post('/tokenize', body, signal), 'body');
    return expectArray(res['tokens'], 'tokens').map((t) => expectNumber(t, 'a token'));
  }

  /** Sum of the echoed log-probabilities of the text after `prompt` in `prompt + continuation`. */
  async function continuation(prompt: string, cont: string, signal: AbortSignal) {
    const full = prompt + cont;
    const body = {
      model: options.model,
      prompt: full,
      max_tokens: 1,
      temperature: 0,
      logprobs: 1,
      echo: true,
    };
    const res = expectObject(await client.post('/v1/completions', body, signal), 'body');
    const choice = expectObject(expectArray(res['choices'], 'choices')[0], 'choices[0]');
    const lp = expectObject(choice['logprobs'], 'logprobs');
    const offsets = expectArray(lp['text_offset'], 'text_offset').map((o) => expectNumber(o, 'text_offset'));
    const values = expectArray(lp['token_logprobs'], 'token_logprobs');
    const start = codePoints(prompt);
    const end = codePoints(full);
    let sum = 0;
    let count = 0;
    let boundary = false;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i]!;
      if (at === start) boundary = true;
      if (at < start || at >= end) continue;
      sum += expectNumber(values[i], `token_logprobs[${i}]`);
      count++;
    }
    if (!boundary || count === 0) {
      throw probeError(
        ProbeErrorCode.BackendError,
        'the label did not start a token: it merged with the prompt',
      );
    }
    return { sum, count, total: offsets.filter((o) => o < start).length };
  }

  return {
    describe(): BackendInfo {
      return { kind: 'vllm', id: `vllm:${client.origin}:${options.model}`, parallel };
    },
    async open() {},
    ...remoteTokenizerMethods(tokenize),
    async score(request: ScoreRequest): Promise<ScoreResult> {
      const prompt = request.prefix.text + request.text;
      const space = request.leadingSpace ? ' ' : '';
      const results = await Promise.all(
        request.words.map((w) => continuation(prompt, space + w, request.signal)),
      );
      return {
        logprobs: results.map((r) => r.sum),
        callTokens: Math.max(0, (results[0]?.total ?? 0) - request.prefix.tokenCount),
      };
    },
    close: () => client.close(),
  };
}
