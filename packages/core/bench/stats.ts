/** Timing helpers shared by the project's benchmarks. Figures are medians and tails of one run. */

import { quantile } from '../src/index.js';

// The project's one quantile, re-exported so that benchmarks take their statistics from one place.
export { quantile };

/** p50/p99 of a sample, in the sample's unit. */
export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

/** p50 and p99 of unsorted samples, by nearest rank (see `quantile`). */
export function percentiles(samples: readonly number[]): Percentiles {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Rounds for JSON output: 3 significant decimals are plenty for µs figures. */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Times `fn` one call at a time, after `warmup` calls, and returns per-call µs percentiles.
 * Each sample includes one clock read (~0.08 µs on the reference machine), the same for every variant.
 */
export async function timeCalls(
  fn: () => Promise<unknown>,
  iterations: number,
  warmup = 2000,
): Promise<{ p50_us: number; p99_us: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples[i] = (performance.now() - t) * 1000;
  }
  const { p50, p99 } = percentiles(samples);
  return { p50_us: round(p50), p99_us: round(p99) };
}

/** True when this module's file is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && metaUrl === new URL(`file://${entry}`).href;
}
