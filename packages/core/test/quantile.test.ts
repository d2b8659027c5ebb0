import { describe, expect, it } from 'vitest';
import { quantile } from '../src/index.js';

describe('quantile', () => {
  it('takes the nearest rank: the smallest value with at least q·n values at or below it', () => {
    const values = [50, 10, 40, 20, 30];
    expect(quantile(values, 0.2)).toBe(10);
    expect(quantile(values, 0.21)).toBe(20);
    expect(quantile(values, 0.5)).toBe(30);
    expect(quantile(values, 0.99)).toBe(50);
    expect(quantile(values, 1)).toBe(50);
  });

  it('never interpolates between two values', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 100], 0.75)).toBe(100);
  });

  it('gives p50 and p99 of 1..100 as 50 and 99', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(hundred, 0.5)).toBe(50);
    expect(quantile(hundred, 0.99)).toBe(99);
  });

  it('sorts numerically and leaves its input as it was', () => {
    const values = [9, 10, 100, 2];
    expect(quantile(values, 0.75)).toBe(10);
    expect(values).toEqual([9, 10, 100, 2]);
    const typed = Float64Array.of(3, 1, 2);
    expect(quantile(typed, 0.5)).toBe(2);
    expect([...typed]).toEqual([3, 1, 2]);
  });

  it('has no quantile for an empty sample', () => {
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('refuses q outside (0, 1]', () => {
    for (const q of [0, -0.5, 1.01, 50, Number.NaN]) expect(() => quantile([1], q)).toThrow(RangeError);
  });
});
