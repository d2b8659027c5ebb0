import type { TestVocab } from './vocab.js';
import type { GgufValue } from './writer.js';

/**
 * A byte-level BPE ("gpt2") vocabulary for the project's tiny models: the 256 byte symbols of GPT-2's
 * byte-to-unicode map (a space is "Ġ"), an end-of-text control token, and a merge chain for every
 * listed word with and without its leading space, so that " Safe" is one token ("ĠSafe") and "Safe"
 * another.
 */

/** GPT-2's reversible map from bytes to printable code points. */
function byteSymbols(): string[] {
  const printable = new Set<number>();
  for (let b = 0x21; b <= 0x7e; b++) printable.add(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.add(b);
  for (let b = 0xae; b <= 0xff; b++) printable.add(b);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable.has(b) ? b : 256 + extra++));
  return out;
}

/** The BPE form of a space. */
export const BPE_SPACE = byteSymbols()[0x20]!;

/** Builds the vocabulary and its merges. Words must be ASCII. */
export function buildBpeVocab(words: readonly string[]): TestVocab {
  const tokens: string[] = [...byteSymbols()];
  const index = new Map(tokens.map((t, i) => [t, i]));
  const merges: string[] = [];
  const add = (piece: string): void => {
    if (!index.has(piece)) {
      index.set(piece, tokens.length);
      tokens.push(piece);
    }
  };
  for (const word of words) {
    for (const piece of [BPE_SPACE + word, word]) {
      const chars = [...piece];
      for (let len = 2; len <= chars.length; len++) {
        const left = chars.slice(0, len - 1).join('');
        const merged = left + chars[len - 1];
        if (index.has(merged)) continue;
        merges.push(`${left} ${chars[len - 1]}`);
        add(merged);
      }
    }
  }
  const eot = tokens.length;
  tokens.push('<|endoftext|>');
  const types = tokens.map((_, i) => (i === eot ? 3 : 1));
  const metadata = (): Record<string, GgufValue> => ({
    'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
    'tokenizer.ggml.pre': { type: 'string', value: 'gpt-2' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: Int32Array.from(types) },
    'tokenizer.ggml.merges': { type: 'string[]', value: merges },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: eot },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: eot },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: false },
  });
  return { kind: 'bpe', tokens, id: (piece) => index.get(piece), metadata };
}
