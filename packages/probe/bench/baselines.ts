import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';

/**
 * The comparison points of the benchmark, run directly on node-llama-cpp with the same model, context
 * settings and tokens as the probe.
 */

/** Tokens emitted by a Llama Guard style verdict: "\n\n", "safe", end of turn (one fewer than "unsafe\nS1"). */
export const GUARD_DECODE_TOKENS = 4;

/** The prompt's tokens exactly as the embedded backend builds them: BOS, prefix, then call part. */
export function promptTokens(
  model: LlamaModel,
  prefix: string,
  call: string,
): { prefix: Token[]; call: Token[] } {
  const bos = model.tokens.bos;
  const head: Token[] = model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
  return {
    prefix: [...head, ...model.tokenize(prefix, false)],
    call: model.tokenize(call, false, 'trimLeadingSpace'),
  };
}

async function rewind(seq: LlamaContextSequence, to: number): Promise<void> {
  if (seq.nextTokenIndex > to) await seq.eraseContextTokenRanges([{ start: to, end: seq.nextTokenIndex }]);
}

/** One bare forward pass over `tokens` after what the sequence holds (its first `keep` tokens), then rewind. */
export async function forwardPass(
  seq: LlamaContextSequence,
  keep: number,
  tokens: readonly Token[],
): Promise<void> {
  await seq.controlledEvaluate([...tokens]);
  await rewind(seq, keep);
}

/**
 * Classification by generation, as Llama Guard does it: evaluate the prompt, then decode greedily
 * token by token until the verdict is out (`GUARD_DECODE_TOKENS` steps), then rewind to `keep`.
 */
/**
 * One forward pass over `tokens` that also computes the next-token distribution at the last position
 * (greedy, no probabilities returned): the least any single-pass classifier does, since the bare
 * forward pass skips the output projection (for a 262k-word vocabulary, a large part of a small model).
 */
export async function forwardNext(
  seq: LlamaContextSequence,
  keep: number,
  tokens: readonly Token[],
): Promise<void> {
  const greedy = { generateNext: { token: true, options: { temperature: 0 } } } as const;
  await seq.controlledEvaluate([...tokens.slice(0, -1), [tokens[tokens.length - 1]!, greedy]]);
  await rewind(seq, keep);
}

export async function generateVerdict(
  seq: LlamaContextSequence,
  keep: number,
  tokens: readonly Token[],
  steps = GUARD_DECODE_TOKENS,
): Promise<Token[]> {
  const out: Token[] = [];
  const head = tokens.slice(0, -1);
  const greedy = { generateNext: { token: true, options: { temperature: 0 } } } as const;
  let res = await seq.controlledEvaluate([...head, [tokens[tokens.length - 1]!, greedy]]);
  let next = res[tokens.length - 1]?.next.token;
  while (next != null && out.length < steps) {
    out.push(next);
    if (out.length === steps) break;
    res = await seq.controlledEvaluate([[next, greedy]]);
    next = res[0]?.next.token;
  }
  await rewind(seq, keep);
  return out;
}
