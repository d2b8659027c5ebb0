/**
 * What the probe needs from an inference engine: tokenize, keep a shared prefix warm, and score the
 * labels' tokens after a call's tokens in one forward pass. Implementations: the embedded
 * node-llama-cpp backend and the HTTP backends (llama.cpp's llama-server, vLLM).
 */

/** What a backend says about itself. `id` names the model exactly enough to key the calibration cache. */
export interface BackendInfo {
  readonly kind: 'llama-cpp' | 'llama-server' | 'vllm' | (string & {});
  readonly id: string;
  /** How many scores it can run at once (sequences of the context, or the HTTP pool size). */
  readonly parallel: number;
}

/** A prefix the backend has evaluated (or at least tokenized) and can reuse. */
export interface PreparedPrefix {
  readonly text: string;
  /** Tokens of the prefix, BOS included where the model adds one; 0 when the backend cannot tell. */
  readonly tokenCount: number;
}

/** One scoring request: the call part after the prepared prefix, and the labels' token sequences. */
export interface ScoreRequest {
  readonly prefix: PreparedPrefix;
  readonly text: string;
  /** Label token sequences, from `backend.labelTokens`. */
  readonly labels: readonly (readonly number[])[];
  /** Label words, for backends that score text rather than tokens. */
  readonly words: readonly string[];
  /** Whether a label word follows the cue after a space. */
  readonly leadingSpace: boolean;
  readonly signal: AbortSignal;
}

/** The answer to a ScoreRequest. */
export interface ScoreResult {
  /**
   * Per label, the sum over its tokens of log p(token | prompt, earlier label tokens). Only the
   * differences between labels matter; a backend may add the same constant to all of them.
   */
  readonly logprobs: readonly number[];
  /** Tokens of the call part (0 when unknown). */
  readonly callTokens: number;
}

/** An inference engine behind the probe. */
export interface ProbeBackend {
  describe(): BackendInfo;
  /** Loads and validates what is needed (the model, a connection); idempotent. */
  open(): Promise<void>;
  /** The tokens of `word` when it follows `cue` at the end of a call part (see `tokensAfter`). */
  labelTokens(cue: string, word: string, leadingSpace: boolean): Promise<number[]>;
  /** Evaluates (or registers) the shared prefix so later scores reuse it. */
  prepare(prefix: string): Promise<PreparedPrefix>;
  /** Scores the labels after `prefix + text`. Rejects with a GovernedError carrying a probe code. */
  score(request: ScoreRequest): Promise<ScoreResult>;
  /** Frees the model, contexts and connections. */
  close(): Promise<void>;
}
