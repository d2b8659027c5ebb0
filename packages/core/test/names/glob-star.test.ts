import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/index.js';

/** The reference: the glob as a JavaScript regular expression, `*` any run of characters. */
function reference(patterns: readonly string[]): (input: string) => boolean {
  const alternatives = patterns.map((p) =>
    p
      .split('*')
      .map((piece) => piece.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'))
      .join('.*'),
  );
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 's');
  return (input) => re.test(input);
}

/** A deterministic generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function pick(next: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

describe('compileGlob in name mode with `*` as the only wildcard', () => {
  it('matches exactly what the equivalent regular expression matches, on generated globs and names', () => {
    const next = random(7);
    let matched = 0;
    for (let round = 0; round < 3000; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
        pick(next, 'ab*.', Math.floor(next() * 6)),
      );
      const input = pick(next, 'ab.\n', Math.floor(next() * 8));
      const expected = reference(patterns)(input);
      if (expected) matched++;
      expect([patterns, input, compileGlob(patterns, 'name')(input)]).toEqual([patterns, input, expected]);
    }
    // The generator reaches both answers often enough for the comparison to mean something.
    expect(matched).toBeGreaterThan(300);
    expect(matched).toBeLessThan(2700);
  });

  it('requires the text before the first star to start the name and the text after the last to end it', () => {
    const test = compileGlob('run*shell*now', 'name');
    expect(test('run_shell_now')).toBe(true);
    expect(test('runshellnow')).toBe(true);
    expect(test('xrun_shell_now')).toBe(false);
    expect(test('run_shell_now_')).toBe(false);
    // The middle piece may not overlap the end piece.
    expect(compileGlob('a*ab*b', 'name')('aab')).toBe(false);
    expect(compileGlob('a*ab*b', 'name')('aabb')).toBe(true);
  });

  it('matches a glob without a star only in full, and an empty list of globs matches only the empty name', () => {
    expect(compileGlob('fetch', 'name')('fetch')).toBe(true);
    expect(compileGlob('fetch', 'name')('fetch_url')).toBe(false);
    expect(compileGlob([], 'name')('')).toBe(true);
    expect(compileGlob([], 'name')('fetch')).toBe(false);
  });
});
