import { ProbeErrorCode, probeError } from './errors.js';

/**
 * A verbalizer: the words whose next-token probabilities stand for the two labels.
 * @example { safe: 'Safe', dangerous: 'Dangerous' } or, for "Is this call harmful?", { safe: 'No', dangerous: 'Yes' }
 */
export interface Verbalizer {
  readonly safe: string;
  readonly dangerous: string;
  /** Whether the answer follows the cue after a space ("Verdict: Safe"). Default true. */
  readonly leadingSpace?: boolean;
}

/** The default verbalizer. */
export const DEFAULT_VERBALIZER: Verbalizer = Object.freeze({ safe: 'Safe', dangerous: 'Dangerous' });

/** A verbalizer resolved to the token sequences of its labels, in label order (safe, dangerous). */
export interface ResolvedVerbalizer {
  readonly verbalizer: Verbalizer;
  /** `[safeTokens, dangerousTokens]`, each non-empty. */
  readonly labels: readonly [readonly number[], readonly number[]];
}

/** Labels in a fixed order; index 1 is always the dangerous one. */
export const LABELS = ['safe', 'dangerous'] as const;

/**
 * The tokens a word takes when it follows `context`. Works for SentencePiece vocabularies (which
 * mark a leading space themselves) and byte-level BPE ones (which need the space in the text): it
 * tokenizes `context` with and without the word appended and keeps what follows the common prefix.
 * Fails when appending the word changes how the context itself tokenizes (a merge across the
 * boundary), since the probe could then not read the label at the prompt's last position.
 */
export async function tokensAfter(
  tokenize: (text: string) => readonly number[] | Promise<readonly number[]>,
  context: string,
  word: string,
  leadingSpace: boolean,
): Promise<number[]> {
  const base = await tokenize(context);
  const full = await tokenize(context + (leadingSpace ? ' ' : '') + word);
  let common = 0;
  while (common < base.length && common < full.length && base[common] === full[common]) common++;
  if (common !== base.length) {
    throw probeError(
      ProbeErrorCode.InvalidConfig,
      `verbalizer '${word}' merges with the end of the prompt; end the template's cue with a separator`,
    );
  }
  const tokens = full.slice(common);
  if (tokens.length === 0)
    throw probeError(ProbeErrorCode.InvalidConfig, `verbalizer '${word}' has no tokens`);
  return tokens;
}

/** Resolves both labels after the template's answer cue. Labels must differ in their tokens. */
export async function resolveVerbalizer(
  labelTokens: (cue: string, word: string, leadingSpace: boolean) => Promise<number[]>,
  cue: string,
  verbalizer: Verbalizer,
): Promise<ResolvedVerbalizer> {
  if (verbalizer.safe.trim() === '' || verbalizer.dangerous.trim() === '') {
    throw probeError(ProbeErrorCode.InvalidConfig, 'verbalizer words must not be empty');
  }
  const space = verbalizer.leadingSpace ?? true;
  const safe = await labelTokens(cue, verbalizer.safe, space);
  const dangerous = await labelTokens(cue, verbalizer.dangerous, space);
  if (safe.length === dangerous.length && safe.every((t, i) => t === dangerous[i])) {
    throw probeError(ProbeErrorCode.InvalidConfig, 'the two verbalizer words resolve to the same tokens');
  }
  // One label's tokens must not be a prefix of the other's: its probability would then include the other.
  const [short, long] = safe.length <= dangerous.length ? [safe, dangerous] : [dangerous, safe];
  if (short.every((t, i) => t === long[i])) {
    throw probeError(ProbeErrorCode.InvalidConfig, 'one verbalizer word is a token prefix of the other');
  }
  return { verbalizer, labels: [safe, dangerous] };
}
