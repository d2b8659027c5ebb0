import { describe, expect, it } from 'vitest';
import { blake3Hex, blake3HexPortable, blake3Ready } from '../../src/audit/hash.js';

/** Deterministic bytes (a linear congruential generator), so a failure names its input. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('the audit chain’s Blake3', () => {
  it('uses the WebAssembly implementation on this machine once it has loaded', async () => {
    expect(await blake3Ready()).toBe(true);
  });

  it('gives the published BLAKE3 digests', async () => {
    await blake3Ready();
    for (const hex of [blake3Hex, blake3HexPortable]) {
      expect(hex('')).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
      expect(hex('abc')).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    }
  });

  it('agrees with the portable implementation byte for byte around every chunk and block boundary, and on large inputs', async () => {
    await blake3Ready();
    const sizes = [
      0,
      1,
      63,
      64,
      65,
      127,
      128,
      1023,
      1024,
      1025,
      2047,
      2048,
      2049,
      3073,
      8192,
      65_537,
      1 << 20,
    ];
    for (const [i, n] of sizes.entries()) {
      const data = bytes(n, i + 1);
      expect(blake3Hex(data), `${n} bytes`).toBe(blake3HexPortable(data));
    }
  });

  it('hashes strings as their UTF-8 bytes in both implementations, lone surrogates included', async () => {
    await blake3Ready();
    const texts = [
      '{"seq":1,"prev":"0000"}',
      'naïve café — Straße 東京 🚀',
      `lone ${String.fromCharCode(0xd800)} high and ${String.fromCharCode(0xdc00)} low`,
      'x'.repeat(5000),
    ];
    for (const t of texts) {
      expect(blake3Hex(t)).toBe(blake3HexPortable(t));
      expect(blake3Hex(t)).toBe(blake3HexPortable(new TextEncoder().encode(t)));
    }
  });
});
