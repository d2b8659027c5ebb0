import { describe, expect, it } from 'vitest';
import { confusion, metrics, ratio } from '../../src/eval/metrics.js';

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
