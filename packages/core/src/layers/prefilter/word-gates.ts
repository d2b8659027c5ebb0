import { literalTrie } from './detector.js';

/**
 * Cheap necessary conditions for two word-led detectors, read in one pass over the lower-case text.
 * Each detector's patterns need one of its words at the start of a word (after `\b`, `\s+`, `<` or
 * `/` in the patterns), so only word starts are tried: most positions of a text are skipped at once.
 */
export const WordGate = {
  /** `prompt-injection`: one of its trigger words (its `<`/`[` tokens are checked apart). */
  Injection: 1,
  /** `credential` assigned secrets: a secret-like name (`client` for client_secret). */
  Assigned: 2,
} as const;

const WORDS: ReadonlyMap<string, number> = new Map([
  ...[
    ...['ignore', 'disregard', 'forget', 'override', 'bypass', 'skip', 'jailbr', 'unrestrict'],
    ...['unfilter', 'uncensor', 'pretend', 'instruction', 'prompt', 'message', 'dan', 'developer'],
    ...['longer', 'anything', 'tell', 'inform', 'alert', 'notif', 'mention', 'asking', 'know', 'told'],
  ].map((w): [string, number] => [w, WordGate.Injection]),
  ...[
    ...['passw', 'pwd', 'secret', 'apikey', 'api_key', 'api-key', 'accesstoken', 'access_token'],
    ...['access-token', 'authtoken', 'auth_token', 'auth-token', 'client', 'privatekey'],
    ...['private_key', 'private-key'],
  ].map((w): [string, number] => [w, WordGate.Assigned]),
]);

// Literals only, behind one assertion: linear in the text.
const WORD_START = new RegExp(String.raw`\b${literalTrie([...WORDS.keys()]).source}`, 'g');
const ALL = WordGate.Injection | WordGate.Assigned;

// The detectors of one text run one after another on the same string: the last answer is kept
// until the scan of the call ends (`forgetWordGates`), so no answer outlives the call it was made for.
let lastText: string | undefined;
let lastGates = 0;

/** Drops the kept answer (called at the start and end of every scan). */
export function forgetWordGates(): void {
  lastText = undefined;
  lastGates = 0;
}

/** `WordGate` bits of the words that start a word somewhere in `lower`. */
export function wordGates(lower: string): number {
  if (lower === lastText) return lastGates;
  let gates = 0;
  WORD_START.lastIndex = 0;
  for (let m = WORD_START.exec(lower); m !== null && gates !== ALL; m = WORD_START.exec(lower)) {
    // Every word starting here counts (one may be a prefix of another), and the search resumes at the
    // next character, so a word inside the one just found is not skipped.
    for (const [word, gate] of WORDS) if (lower.startsWith(word, m.index)) gates |= gate;
    WORD_START.lastIndex = m.index + 1;
  }
  lastText = lower;
  lastGates = gates;
  return gates;
}
