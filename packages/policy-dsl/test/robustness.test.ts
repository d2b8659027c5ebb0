import { describe, expect, it } from 'vitest';
import { problems } from './helpers.js';

describe('robustness', () => {
  /** A small seeded generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let x = seed;
    return () => {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      return x / 2_147_483_648;
    };
  }
  const WORDS = [
    'default',
    'allow',
    'deny',
    'when',
    'unless',
    'reason',
    'end',
    'tier',
    'tool',
    'include',
    'principle',
    'and',
    'or',
    'not',
    'in',
    'glob',
    'matches',
    'arg.x',
    'any',
    'string',
    '==',
    '<',
    '(',
    ')',
    '[',
    ']',
    ',',
    '"s"',
    '/a+/',
    '3',
    '-1.5',
    'probe',
    'limit',
    'per-tool',
    'refill',
    '2/s',
    '\n',
    '\n',
    '#',
    '"',
    '\\',
    '{',
    '\u0000',
    'é',
  ];

  it('returns diagnostics, never throws, for 2,000 random token soups', () => {
    const next = random(42);
    for (let n = 0; n < 2_000; n++) {
      const length = Math.floor(next() * 40);
      const source = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
      expect(() => problems(source), JSON.stringify(source)).not.toThrow();
    }
  });
});
