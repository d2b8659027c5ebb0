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

/** Options of the llama.cpp `llama-server` backend. */
export interface LlamaServerBackendOptions extends HttpBackendOptions {
  /** Top log-probabilities requested per position (`n_probs`); the labels must be among them. Default 50. */
  readonly nProbs?: number;
  /** A name for the served model, part of the calibration cache key. Default: the URL. */
  readonly model?: string;
}

/**
 * Creates a backend on llama.cpp's `llama-server`. One `POST /completion` per call with
 * `n_predict: 1`, `n_probs`, `temperature: 0` and `cache_prompt: true` (the server keeps the shared
 * prefix in its KV cache); the labels' log-probabilities are read by token id from
 * `completion_probabilities[0].top_logprobs`. Multi-token labels take one more request per extra token,
 * with the prompt sent as token ids. A label outside the top `nProbs` is an error, not a guess.
 */
export function createLlamaServerBackend(options: LlamaServerBackendOptions): ProbeBackend {
  const client = createJsonClient(options);
  const nProbs = options.nProbs ?? 50;
  const parallel = options.connections ?? 8;

  async function tokenize(content: string, addSpecial: boolean, signal: AbortSignal): Promise<number[]> {
    const res = expectObject(
      await client.post('/tokenize', { content, add_special: addSpecial }, signal),
      'body',
    );
    return expectArray(res['tokens'], 'tokens').map((t) => expectNumber(t, 'a token'));
  }

  /** `log p` of each wanted token at the position after `prompt`, by id, and the prompt's token count. */
  async function next(
    prompt: string | number[],
    wanted: readonly number[],
    signal: AbortSignal,
  ): Promise<{ logprobs: number[]; promptTokens: number | undefined }> {
    const body = {
      prompt,
      n_predict: 1,
      n_probs: nProbs,
      temperature: 0,
      cache_prompt: true,
      post_sampling_probs: false,
    };
    const res = expectObject(await client.post('/completion', body, signal), 'body');
    const first = expectObject(
      expectArray(res['completion_probabilities'], 'completion_probabilities')[0],
      'entry 0',
    );
    const top = new Map<number, number>();
    for (const item of expectArray(first['top_logprobs'], 'top_logprobs')) {
      const o = expectObject(item, 'a top_logprobs item');
      top.set(expectNumber(o['id'], 'id'), expectNumber(o['logprob'], 'logprob'));
    }
    const logprobs = wanted.map((id) => {
      const lp = top.get(id);
      if (lp === undefined) {
        throw probeError(
          ProbeErrorCode.BackendError,
          `label token ${id} is not among the top ${nProbs}; raise nProbs`,
        );
      }
      return lp;
    });
    const evaluated = res['tokens_evaluated'];
    return { logprobs, promptTokens: typeof evaluated === 'number' ? evaluated : undefined };
  }

  return {
    describe(): BackendInfo {
      return { kind: 'llama-server', id: `llama-server:${options.model ?? client.origin}`, parallel };
    },
    async open() {},
    ...remoteTokenizerMethods(tokenize),
    async score(request: ScoreRequest): Promise<ScoreResult> {
      const prompt = request.prefix.text + request.text;
      const firsts = request.labels.map((l) => l[0]!);
      const multi = request.labels.some((l) => l.length > 1);
      const [first, promptTokens] = await Promise.all([
        next(prompt, firsts, request.signal),
        multi ? tokenize(prompt, true, request.signal) : Promise.resolve(undefined),
      ]);
      const logprobs = await Promise.all(
        request.labels.map(async (label, k) => {
          let sum = first.logprobs[k]!;
          for (let j = 1; j < label.length; j++) {
            const step = await next([...promptTokens!, ...label.slice(0, j)], [label[j]!], request.signal);
            sum += step.logprobs[0]!;
          }
          return sum;
        }),
      );
      const total = promptTokens?.length ?? first.promptTokens;
      const callTokens = total === undefined ? 0 : Math.max(0, total - request.prefix.tokenCount);
      return { logprobs, callTokens };
    },
    close: () => client.close(),
  };
}
