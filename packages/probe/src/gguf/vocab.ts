/**
 * A SentencePiece-style ("llama") vocabulary for the project's tiny models: the three specials, the
 * 256 byte-fallback tokens, printable ASCII with and without the word marker, and the prefix chain of
 * every listed word so that llama.cpp's greedy merges reach each word as one token.
 */

import type { GgufValue } from './writer.js';

/** The SPM word marker (U+2581). */
export const SPM_SPACE = '\u2581';

/** Token types as GGUF stores them. */
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

/** A vocabulary ready to be written as `tokenizer.ggml.*` metadata. */
export interface TestVocab {
  readonly kind: 'spm' | 'bpe';
  readonly tokens: readonly string[];
  /** Token id of a piece, e.g. `vocab.id('▁Safe')` (SPM) or `vocab.id('ĠSafe')` (BPE). */
  id(piece: string): number | undefined;
  /** The `tokenizer.ggml.*` metadata. */
  metadata(): Record<string, GgufValue>;
}

/** Words every test model knows as single tokens (verbalizers and common prompt words). */
export const BASE_WORDS: readonly string[] = [
  'Safe',
  'Dangerous',
  'Yes',
  'No',
  'Allow',
  'Deny',
  'Verdict',
  'Answer',
  'tool',
  'call',
  'the',
  'a',
  'is',
  'Tool',
  'Arguments',
  'Principal',
  'tier',
  'Principles',
  'Description',
];

/** Multi-character pieces of the prompt's JSON, so that a rendered call takes fewer tokens. */
const TEMPLATE_PIECES: readonly string[] = ['":', '",', '"}', '{"', ',"', ':"', '):'];

/**
 * Builds the vocabulary. `extraWords` grows it (e.g. to ~1000 tokens for a benchmark model).
 * Longer pieces score higher so that merges prefer whole words.
 */
export function buildSpmVocab(extraWords: readonly string[] = []): TestVocab {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [UNKNOWN, CONTROL, CONTROL];
  const scores: number[] = [0, 0, 0];
  const index = new Map<string, number>();
  const add = (piece: string, type: number, score: number): void => {
    if (index.has(piece)) return;
    index.set(piece, tokens.length);
    tokens.push(piece);
    types.push(type);
    scores.push(score);
  };
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, BYTE, 0);
  for (let c = 32; c < 127; c++) {
    const ch = String.fromCharCode(c);
    if (ch === ' ') continue;
    add(ch, NORMAL, -1000);
    add(SPM_SPACE + ch, NORMAL, -999);
  }
  add(SPM_SPACE, NORMAL, -1000);
  for (const word of [...BASE_WORDS, ...extraWords]) {
    // With and without the word marker: a word at the start of a line has none.
    for (const piece of [SPM_SPACE + word, word]) {
      for (let len = 2; len <= piece.length; len++) add(piece.slice(0, len), NORMAL, -1000 + len * 10);
    }
  }
  for (const piece of TEMPLATE_PIECES) add(piece, NORMAL, -1000 + piece.length * 10 + 5);
  return {
    kind: 'spm',
    tokens,
    id: (piece) => index.get(piece),
    metadata: () => ({
      'tokenizer.ggml.model': { type: 'string', value: 'llama' },
      'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
      'tokenizer.ggml.scores': { type: 'f32[]', value: Float32Array.from(scores) },
      'tokenizer.ggml.token_type': { type: 'i32[]', value: Int32Array.from(types) },
      'tokenizer.ggml.unknown_token_id': { type: 'u32', value: 0 },
      'tokenizer.ggml.bos_token_id': { type: 'u32', value: 1 },
      'tokenizer.ggml.eos_token_id': { type: 'u32', value: 2 },
      'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
      'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    }),
  };
}
