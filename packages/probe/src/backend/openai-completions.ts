import { ProbeErrorCode, probeError } from '../errors.js';
import {
  createJsonClient,
  expectArray,
  expectNumber,
  expectObject,
  type HttpBackendOptions,
  type JsonClient,
  remoteTokenizerMethods,
} from './http.js';
import type { BackendInfo, ProbeBackend, ScoreRequest, ScoreResult } from './types.js';

/**
 * The servers that speak the OpenAI completions shape with echoed prompt log-probabilities:
 * vLLM (`POST /tokenize`) and llama-cpp-python's `llama_cpp.server` (`POST /extras/tokenize`).
 */
export const OPENAI_COMPLETIONS_FLAVORS = ['vllm', 'llama-cpp-python'] as const;

/** One of {@link OPENAI_COMPLETIONS_FLAVORS}. */
export type OpenAiCompletionsFlavor = (typeof OPENAI_COMPLETIONS_FLAVORS)[number];

/** Every inference server the probe can use: llama.cpp's `llama-server`, and the OpenAI-completions flavors. */
export const PROBE_SERVER_KINDS = ['llama-server', ...OPENAI_COMPLETIONS_FLAVORS] as const;

/** One of {@link PROBE_SERVER_KINDS}. */
export type ProbeServerKind = (typeof PROBE_SERVER_KINDS)[number];

/** Options of the OpenAI-completions backend. */
export interface OpenAiCompletionsBackendOptions extends HttpBackendOptions {
  /** Which server: it decides the tokenizer endpoint. */
  readonly flavor: OpenAiCompletionsFlavor;
  /** The served model name (the `model` field of requests); llama-cpp-python falls back to its only model. */
  readonly model?: string;
}

/**
 * How a flavor tokenizes and scores. `echo` reads the labels' log-probabilities from the echoed prompt
 * (exact for labels of any length). `forced` makes the server generate the label itself, its tokens
 * pushed to the top by `logit_bias`, and reads the generated tokens' log-probabilities, which the
 * server computes before the bias: llama-cpp-python spends about a second of Python per echoed token
 * (it sorts the whole vocabulary for each), so a 300-token echo takes minutes there.
 */
interface FlavorShape {
  readonly scoring: 'echo' | 'forced';
  tokenize(
    client: JsonClient,
    model: string | undefined,
    text: string,
    special: boolean,
    signal: AbortSignal,
  ): Promise<number[]>;
  readonly echoDropsBos: boolean;
}

const tokensOf = (res: unknown): number[] =>
  expectArray(expectObject(res, 'body')['tokens'], 'tokens').map((t) => expectNumber(t, 'a token'));

const FLAVORS: Readonly<Record<OpenAiCompletionsFlavor, FlavorShape>> = {
  vllm: {
    async tokenize(client, model, prompt, special, signal) {
      const body = { ...(model === undefined ? {} : { model }), prompt, add_special_tokens: special };
      return tokensOf(await client.post('/tokenize', body, signal));
    },
    scoring: 'echo',
    echoDropsBos: false,
  },
  'llama-cpp-python': {
    // The endpoint always adds BOS. That is right for the prefix's token count, and harmless for the
    // label tokens: `tokensAfter` keeps only what follows the common prefix of two tokenizations.
    async tokenize(client, model, input, _special, signal) {
      const body = { ...(model === undefined ? {} : { model }), input };
      return tokensOf(await client.post('/extras/tokenize', body, signal));
    },
    scoring: 'forced',
    // Its echo skips the BOS token (and gives the first echoed token no log-probability).
    echoDropsBos: true,
  },
};

/** A bias no ordinary logit gap outweighs: the forced tokens are generated whatever the model prefers. */
const FORCE_BIAS = 100;

/** Length in code points: both servers' `text_offset` counts Python string characters, not UTF-16 units. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Creates a backend on an OpenAI-compatible completions API (vLLM, llama-cpp-python), with exact
 * per-label values. vLLM: for each label it sends `prompt + " " + label` with `echo: true`,
 * `logprobs: 1`, `max_tokens: 1`, and sums the echoed log-probabilities of the tokens at or after the
 * label's offset (`text_offset`, in code points). llama-cpp-python: it sends `prompt` with the label's
 * tokens forced by `logit_bias` and sums the generated tokens' (unbiased) log-probabilities. Both
 * labels are requested concurrently; a server that caches the shared prefix (vLLM's prefix caching,
 * llama-cpp-python's prefix match) keeps it warm.
 * @example
 * const backend = createOpenAiCompletionsBackend({ url: 'http://127.0.0.1:8000', flavor: 'llama-cpp-python' });
 */
export function createOpenAiCompletionsBackend(options: OpenAiCompletionsBackendOptions): ProbeBackend {
  const shape = FLAVORS[options.flavor];
  if (shape === undefined) {
    throw probeError(
      ProbeErrorCode.InvalidConfig,
      `unknown completions server flavor '${String(options.flavor)}'`,
    );
  }
  const client = createJsonClient(options);
  const parallel = options.connections ?? 8;
  const model = options.model;
  const tokenize = (text: string, special: boolean, signal: AbortSignal) =>
    shape.tokenize(client, model, text, special, signal);

  /** Sum of the echoed log-probabilities of the text after `prompt` in `prompt + continuation`. */
  async function continuation(prompt: string, cont: string, signal: AbortSignal) {
    const full = prompt + cont;
    const body = {
      ...(model === undefined ? {} : { model }),
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
    const before = offsets.filter((o) => o < start).length;
    return { sum, count, total: before + (shape.echoDropsBos ? 1 : 0) };
  }

  /** Log-probability of the label's tokens, generated after `prompt` under a bias that forces them. */
  async function forced(prompt: string, tokens: readonly number[], text: string, signal: AbortSignal) {
    const body = {
      ...(model === undefined ? {} : { model }),
      prompt,
      max_tokens: tokens.length,
      temperature: 0,
      logprobs: 1,
      logit_bias: Object.fromEntries(tokens.map((t) => [String(t), FORCE_BIAS])),
    };
    const res = expectObject(await client.post('/v1/completions', body, signal), 'body');
    const choice = expectObject(expectArray(res['choices'], 'choices')[0], 'choices[0]');
    const lp = expectObject(choice['logprobs'], 'logprobs');
    const values = expectArray(lp['token_logprobs'], 'token_logprobs');
    // A multi-token label whose later token the model prefers first comes out reordered: refuse it.
    if (choice['text'] !== text || values.length !== tokens.length) {
      throw probeError(
        ProbeErrorCode.BackendError,
        `the server generated ${JSON.stringify(choice['text'])} instead of the label ${JSON.stringify(text)}`,
      );
    }
    const sum = values.reduce<number>((a, v, i) => a + expectNumber(v, `token_logprobs[${i}]`), 0);
    const usage = expectObject(res['usage'], 'usage');
    return { sum, total: expectNumber(usage['prompt_tokens'], 'usage.prompt_tokens') };
  }

  return {
    describe(): BackendInfo {
      const name = options.flavor === 'vllm' ? 'vllm' : 'llama-cpp-python';
      return { kind: name, id: `${name}:${client.origin}:${model ?? 'default'}`, parallel };
    },
    async open() {},
    ...remoteTokenizerMethods(tokenize),
    async score(request: ScoreRequest): Promise<ScoreResult> {
      const prompt = request.prefix.text + request.text;
      const space = request.leadingSpace ? ' ' : '';
      const results = await Promise.all(
        request.words.map((w, i) =>
          shape.scoring === 'echo'
            ? continuation(prompt, space + w, request.signal)
            : forced(prompt, request.labels[i] ?? [], space + w, request.signal),
        ),
      );
      return {
        logprobs: results.map((r) => r.sum),
        callTokens: Math.max(0, (results[0]?.total ?? 0) - request.prefix.tokenCount),
      };
    },
    close: () => client.close(),
  };
}
