/**
 * The q-quantile (0 < q <= 1) of `values` by the nearest-rank method: the smallest value with at least
 * ⌈q·n⌉ values at or below it, so the result is always one of the values (never interpolated). Order of
 * the input does not matter and the input is not modified. An empty sample has no quantile: NaN.
 * Throws a RangeError for q outside (0, 1] (a programmer error, like a bad array index).
 * @example
 * quantile([5, 1, 3], 0.5); // 3
 * quantile([5, 1, 3, 4], 0.5); // 3 (nearest rank; an interpolating quantile would say 3.5)
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q > 0 && q <= 1)) throw new RangeError(`a quantile is in (0, 1], got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}
