import { describe, expect, it } from 'vitest';
import {
  calibrate,
  calibrateLogprobs,
  contentFreeEstimate,
  labelProbabilities,
  softmax2,
} from '../src/calibration.js';

describe('contextual calibration', () => {
  const raw = [0.3, 0.7] as const;
  const cf = [0.2, 0.8] as const;

  it('with alpha 0 returns the raw distribution', () => {
    const [s, d] = calibrate(raw, cf, 0);
    expect(s).toBeCloseTo(0.3, 12);
    expect(d).toBeCloseTo(0.7, 12);
  });

  it('with alpha 1 divides out the content-free distribution (diagonal W = 1/p_cf)', () => {
    // 0.3/0.2 = 1.5 and 0.7/0.8 = 0.875, renormalized.
    const [s, d] = calibrate(raw, cf, 1);
    expect(s).toBeCloseTo(1.5 / 2.375, 12);
    expect(d).toBeCloseTo(0.875 / 2.375, 12);
  });

  it('in between blends geometrically: p_k · p_cf_k^-alpha, renormalized', () => {
    const a = 0.5;
    const s = 0.3 * 0.2 ** -a;
    const d = 0.7 * 0.8 ** -a;
    expect(calibrate(raw, cf, a)[1]).toBeCloseTo(d / (s + d), 12);
    // Monotone in alpha for a model biased toward "dangerous".
    expect(calibrate(raw, cf, 0.25)[1]).toBeGreaterThan(calibrate(raw, cf, 0.75)[1]);
  });

  it('maps a uniform content-free distribution to the raw one at any alpha', () => {
    for (const a of [0, 0.3, 1]) expect(calibrate(raw, [0.5, 0.5], a)[1]).toBeCloseTo(0.7, 12);
  });

  it('rejects alpha outside [0, 1] and survives zero probabilities', () => {
    expect(() => calibrate(raw, cf, 1.5)).toThrow(RangeError);
    expect(() => calibrate(raw, cf, Number.NaN)).toThrow(RangeError);
    const [s, d] = calibrate([0, 1], [1, 0], 1);
    expect(Number.isFinite(s) && Number.isFinite(d)).toBe(true);
    expect(s + d).toBeCloseTo(1, 12);
  });

  it('keeps precision for extreme log-probabilities when computed in log space', () => {
    const [, d] = calibrateLogprobs([0, -50], [0.5, 0.5], 1);
    expect(d).toBeCloseTo(Math.exp(-50), 30);
    expect(d / Math.exp(-50)).toBeCloseTo(1, 9);
    // And agrees with the probability form where both are exact.
    const lp: [number, number] = [Math.log(0.3), Math.log(0.7)];
    expect(calibrateLogprobs(lp, [0.2, 0.8], 0.6)[1]).toBeCloseTo(
      calibrate([0.3, 0.7], [0.2, 0.8], 0.6)[1],
      12,
    );
  });

  it('averages content-free inputs and renormalizes', () => {
    expect(
      contentFreeEstimate([
        [0.2, 0.8],
        [0.4, 0.6],
      ]),
    ).toEqual([0.30000000000000004, 0.7]);
    expect(() => contentFreeEstimate([])).toThrow(RangeError);
  });

  it('renormalizes log-probabilities over the two labels, stably', () => {
    expect(labelProbabilities([Math.log(0.1), Math.log(0.3)])[1]).toBeCloseTo(0.75, 12);
    expect(softmax2(-1000, -1001)[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
});
