import { describe, expect, it } from 'vitest';
import { createPipeline, createRateLimitLayer, createTierLayer, DEFAULT_SETTINGS } from '../../src/index.js';
import { makeCall } from './call-builder.js';

const rows = DEFAULT_SETTINGS.tiers;
const perTool = rows.map((t) => t.rateLimit.perPrincipalTool);
const perPrincipal = rows.map((t) => t.rateLimit.perPrincipal);
const concurrent = rows.map((t) => t.rateLimit.maxConcurrent ?? 0);

const decreasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x < (xs[i - 1] as number));
const increasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));

describe('the default tier table', () => {
  it('gives riskier tools a slower per-tool bucket: read-only tools the fastest', () => {
    expect(decreasing(perTool.map((b) => b?.capacity ?? 0))).toBe(true);
    expect(decreasing(perTool.map((b) => b?.refillPerSec ?? 0))).toBe(true);
  });

  it('gives more trusted principals a larger overall budget and more concurrent calls', () => {
    expect(increasing(perPrincipal.map((b) => b?.capacity ?? 0))).toBe(true);
    expect(increasing(perPrincipal.map((b) => b?.refillPerSec ?? 0))).toBe(true);
    expect(increasing(concurrent)).toBe(true);
  });

  const readOnly = { name: 'read_text_file', annotations: { readOnlyHint: true, openWorldHint: false } };
  const destructive = { name: 'write_file', annotations: { destructiveHint: true } };

  async function burst(tool: object, tier: string, n: number): Promise<number> {
    const t = 1_000;
    const pipeline = createPipeline([
      createTierLayer(DEFAULT_SETTINGS),
      createRateLimitLayer(DEFAULT_SETTINGS, { now: () => t }),
    ]);
    let allowed = 0;
    for (let i = 0; i < n; i++) {
      const call = makeCall({ path: `src/f${i}.ts` }, { tool, principal: { id: 'local:dev', tier } });
      if ((await pipeline.evaluate(call)).decision.outcome === 'allow') allowed++;
    }
    return allowed;
  }

  it('lets a trusted principal read 60 files in one instant', async () => {
    expect(await burst(readOnly, 'trusted', 60)).toBe(60);
  });

  it('still holds an untrusted principal to its own small budget however fast reading is', async () => {
    expect(await burst(readOnly, 'untrusted', 60)).toBe(perPrincipal[0]?.capacity);
  });

  it('keeps destructive tools slower than reads for the same principal', async () => {
    expect(await burst(destructive, 'trusted', 60)).toBe(perTool[2]?.capacity);
  });
});
