import { describe, expect, it } from 'vitest';
import { hashText, seenStrings } from '../../src/session/provenance-text.js';
import { forEachSeenHash } from '../../src/session/text-hashes.js';

const pieces = [
  'the',
  'Invoice',
  'ΑΣ',
  'İstanbul',
  'café,',
  '(quoted)',
  '#general,',
  '_x_',
  'a',
  '€30',
  'Straße',
  '—',
  '\u00a0',
  '\u3000',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  'x'.repeat(150),
  'y'.repeat(230),
];

/** A seeded sequence of texts of mixed words, spaces, lines and scripts, long and short. */
function texts(count: number): string[] {
  let seed = 777;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let text = '';
    for (let w = next(k % 3 === 0 ? 400 : 40) + 1; w > 0; w--) text += pieces[next(pieces.length)] as string;
    out.push(text);
  }
  return out;
}

describe('forEachSeenHash', () => {
  it('visits the hash of every string seenStrings returns, in order, within the same limit', () => {
    for (const text of texts(300)) {
      for (const limit of [5, 50, 8_192]) {
        const hashes: number[] = [];
        forEachSeenHash(text, 200, limit, (h) => hashes.push(h));
        expect(hashes, JSON.stringify(text)).toEqual(seenStrings(text, 200, limit).map(hashText));
      }
    }
  });

  it('visits as many hashes as seenStrings returns strings on a 64 KiB text', () => {
    const text = 'The invoice for March lists the hosting plan, €30.\n'.repeat(1_300);
    let n = 0;
    forEachSeenHash(text, 200, 8_192, () => n++);
    expect(n).toBe(seenStrings(text, 200, 8_192).length);
  });
});
