import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { requiredLiterals } from '../src/regex-prefilter.js';

describe('the regex literal pre-check', () => {
  it('finds the literal each alternative requires', () => {
    expect(requiredLiterals('\\bAKIA[0-9A-Z]{16}\\b')).toEqual(['AKIA']);
    expect(requiredLiterals('169\\.254\\.169\\.254|metadata\\.google\\.internal')).toEqual([
      '169.254.169.254',
      'metadata.google.internal',
    ]);
    expect(requiredLiterals('-----BEGIN ([A-Z]+ )?PRIVATE KEY-----')).toEqual(['PRIVATE KEY-----']);
  });

  it('drops characters a quantifier makes optional or repeats', () => {
    expect(requiredLiterals('ab?c')).toEqual(['a']);
    expect(requiredLiterals('abc*d')).toEqual(['ab']);
    expect(requiredLiterals('ab+c')).toEqual(['ab']);
    expect(requiredLiterals('a{0,3}bc')).toEqual(['bc']);
    expect(requiredLiterals('x{2}yz')).toEqual(['yz']);
  });

  it('looks into a group that every match goes through', () => {
    expect(requiredLiterals('\\b(pastebin\\.com|ngrok(-free)?\\.(io|app))\\b')).toEqual([
      'pastebin.com',
      'ngrok',
    ]);
    expect(requiredLiterals('(^|\\s)(sudo|su)(\\s|$)|\\bchmod')).toEqual(['sudo', 'su', 'chmod']);
    expect(requiredLiterals('(a|b)?(c|d)')).toEqual(['c', 'd']);
  });

  it('gives up when it cannot be sure', () => {
    expect(requiredLiterals('(?i)abc')).toBeUndefined();
    expect(requiredLiterals('abc|(x|y)?')).toBeUndefined();
    expect(requiredLiterals('abc|.*')).toBeUndefined();
    expect(requiredLiterals('\\x60abc')).toBeUndefined();
    expect(requiredLiterals('\\pLabc')).toBeUndefined();
    expect(requiredLiterals('a(b')).toBeUndefined();
  });

  it('never rejects a string that RE2 matches (random strings over each pattern alphabet)', () => {
    const patterns = [
      'ab?c',
      'ab+c|x{2}yz',
      'push\\s+(-f|--force)(\\s|=|$)',
      '(curl|wget)[^|;]*\\|\\s*(ba)?sh\\b',
      'a{0,2}b{1,3}c+d?e',
      '\\.ssh/(id_|authorized_keys)|\\.aws/credentials',
      'x[ab]+y|z\\.\\*w',
      '(^|\\s)(sudo|su)(\\s|$)|\\bchmod',
      '(a|b)?c(de|f)+|(g(h|ij))',
    ];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * n);
    };
    for (const pattern of patterns) {
      const re = RE2JS.compile(pattern);
      const literals = requiredLiterals(pattern);
      expect(literals, pattern).toBeDefined();
      // Pieces: the pattern's words and single characters, so that matches are common enough.
      const plain = pattern.replace(/\\[bsw]/g, ' ');
      const words = plain.split(/[^A-Za-z_.-]+/).filter((w) => w !== '');
      const alphabet = [
        ...new Set(`${plain} -|=`),
        ...Array.from({ length: 8 }, () => [...words, ' ']).flat(),
      ];
      let matched = 0;
      for (let n = 0; n < 20_000; n++) {
        const s = Array.from({ length: 1 + rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
        if (!re.test(s)) continue;
        matched++;
        expect(
          literals!.some((l) => s.includes(l)),
          `${pattern} on ${JSON.stringify(s)}`,
        ).toBe(true);
      }
      expect(matched, pattern).toBeGreaterThan(0);
    }
  });
});
