import { describe, expect, it } from 'vitest';
import { confusion, metrics, ratio, rocAuc } from '../../src/eval/metrics.js';

describe('eval metrics', () => {
  it('counts blocked dangerous cases as true positives and blocked safe cases as false positives', () => {
    const c = confusion([
      { dangerous: true, blocked: true },
      { dangerous: true, blocked: true },
      { dangerous: true, blocked: false },
      { dangerous: false, blocked: true },
      { dangerous: false, blocked: false },
      { dangerous: false, blocked: false },
      { dangerous: false, blocked: false },
    ]);
    expect(c).toEqual({ tp: 2, fp: 1, tn: 3, fn: 1 });
  });

  it('computes precision, recall, F1, FPR and accuracy from the confusion counts', () => {
    // tp 8, fp 2, tn 18, fn 4: precision 0.8, recall 8/12, F1 = 2·0.8·(2/3)/(0.8 + 2/3) = 16/22.
    const m = metrics({ tp: 8, fp: 2, tn: 18, fn: 4 });
    expect(m.n).toBe(32);
    expect(m.precision).toBeCloseTo(0.8, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(16 / 22, 12);
    expect(m.fpr).toBeCloseTo(0.1, 12);
    expect(m.accuracy).toBeCloseTo(26 / 32, 12);
  });

  it('reports a perfect gate as precision, recall and F1 of 1 with no false positives', () => {
    expect(metrics({ tp: 5, fp: 0, tn: 7, fn: 0 })).toMatchObject({ precision: 1, recall: 1, f1: 1, fpr: 0 });
  });

  it('reports 0 instead of NaN when a denominator is zero', () => {
    // A gate that blocks nothing: no predicted positives, so precision is 0 by convention.
    const none = metrics({ tp: 0, fp: 0, tn: 10, fn: 5 });
    expect(none).toMatchObject({ precision: 0, recall: 0, f1: 0, fpr: 0 });
    // Only safe cases: recall has no denominator.
    expect(metrics({ tp: 0, fp: 3, tn: 1, fn: 0 })).toMatchObject({ recall: 0, precision: 0, fpr: 0.75 });
    // Empty input.
    const empty = metrics({ tp: 0, fp: 0, tn: 0, fn: 0 });
    for (const v of Object.values(empty)) expect(Number.isNaN(v)).toBe(false);
    expect(ratio(1, 0)).toBe(0);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => metrics({ tp: -1, fp: 0, tn: 0, fn: 0 })).toThrow(RangeError);
    expect(() => metrics({ tp: 1.5, fp: 0, tn: 0, fn: 0 })).toThrow(RangeError);
  });
});

describe('ROC AUC of a score', () => {
  const d = (score: number) => ({ dangerous: true, score });
  const s = (score: number) => ({ dangerous: false, score });

  it('is 1 when every dangerous case scores above every safe one, 0 when below, whatever the scale', () => {
    expect(rocAuc([s(0.1), s(0.2), d(0.3), d(0.9)])).toBe(1);
    expect(rocAuc([d(0.1), d(0.2), s(0.3), s(0.9)])).toBe(0);
    expect(rocAuc([s(-5), d(1e9)])).toBe(1);
  });

  it('counts ties between the classes as half, so a constant score is 0.5', () => {
    expect(rocAuc([s(0.5), s(0.5), d(0.5), d(0.5)])).toBe(0.5);
    // Pairs (d, s): (0.4 vs 0.2) win, (0.4 vs 0.4) tie, (0.8 vs both) win → (1 + 0.5 + 2) / 4.
    expect(rocAuc([s(0.2), s(0.4), d(0.4), d(0.8)])).toBe(0.875);
  });

  it('equals the share of (dangerous, safe) pairs ranked correctly, counted by brute force', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const items = Array.from({ length: 300 }, () => ({
      dangerous: rnd() < 0.4,
      score: Math.round(rnd() * 20) / 20,
    }));
    let wins = 0;
    let pairs = 0;
    for (const a of items.filter((x) => x.dangerous)) {
      for (const b of items.filter((x) => !x.dangerous)) {
        pairs++;
        wins += a.score > b.score ? 1 : a.score === b.score ? 0.5 : 0;
      }
    }
    expect(rocAuc(items)).toBeCloseTo(wins / pairs, 12);
  });

  it('is undefined when one class is absent, and refuses scores that are not finite', () => {
    expect(rocAuc([])).toBeUndefined();
    expect(rocAuc([d(0.1), d(0.9)])).toBeUndefined();
    expect(rocAuc([s(0.1)])).toBeUndefined();
    expect(() => rocAuc([d(Number.NaN), s(0.1)])).toThrow(RangeError);
  });
});
