/** Timing helpers for the probe benchmark, in milliseconds; quantiles come from `@governed-mcp/core`. */

/** Times one async run in ms. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Runs every variant once per round, `rounds` times, after `warmup` untimed rounds, so that drift
 * (thermal, other load) hits all variants alike. A variant that resolves to a number reports its own
 * time in ms (to leave untimed set-up out); otherwise its whole run is timed.
 */
export async function interleave(
  variants: Readonly<Record<string, () => Promise<unknown>>>,
  rounds: number,
  warmup = 2,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(variants)) samples[name] = [];
  for (let r = 0; r < warmup + rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      let own: unknown;
      const ms = await time(async () => {
        own = await fn();
      });
      if (r >= warmup) samples[name]!.push(typeof own === 'number' ? own : ms);
    }
  }
  return samples;
}

/** Rounds to 4 significant digits for readable JSON. */
export function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}
