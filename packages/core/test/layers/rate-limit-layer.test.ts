import { describe, expect, it, vi } from 'vitest';
import {
  createPipeline,
  createRateLimitLayer,
  createTierLayer,
  DEFAULT_SETTINGS,
  type Decision,
  defineLayer,
  type GateSettings,
  LayerCode,
  MemoryRateLimitStore,
  parseSettings,
  type RateLimitStore,
} from '../../src/index.js';
import { makeCall } from './call-builder.js';

function settingsWith(rateLimit: GateSettings['tiers'][number]['rateLimit']): GateSettings {
  return parseSettings({
    ...DEFAULT_SETTINGS,
    tiers: DEFAULT_SETTINGS.tiers.map((t) => ({ ...t, rateLimit })),
  });
}

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('rate-limit layer', () => {
  it('denies once the per (principal, tool) bucket is empty and says when to retry', async () => {
    const c = clock();
    const s = settingsWith({ perPrincipalTool: { capacity: 2, refillPerSec: 4 } });
    const pipeline = createPipeline([createTierLayer(s), createRateLimitLayer(s, { now: c.now })]);
    const call = makeCall({});
    expect((await pipeline.evaluate(call)).decision.outcome).toBe('allow');
    expect((await pipeline.evaluate(call)).decision.outcome).toBe('allow');
    const d = (await pipeline.evaluate(call)).decision;
    expect(d.reasons[0]).toMatchObject({
      layer: 'rate-limit',
      code: LayerCode.RateLimited,
      data: { retryAfterMs: 250 },
    });
    // Another tool and another principal have their own buckets.
    expect((await pipeline.evaluate(makeCall({}, { tool: { name: 'other' } }))).decision.outcome).toBe(
      'allow',
    );
    expect((await pipeline.evaluate(makeCall({}, { principal: { id: 'bob' } }))).decision.outcome).toBe(
      'allow',
    );
    c.advance(249);
    expect((await pipeline.evaluate(call)).decision.outcome).toBe('deny');
    c.advance(1);
    expect((await pipeline.evaluate(call)).decision.outcome).toBe('allow');
  });

  it('shares the per-principal bucket across tools and takes nothing when any bucket is empty', async () => {
    const c = clock();
    const s = settingsWith({
      perPrincipalTool: { capacity: 1, refillPerSec: 1 },
      perPrincipal: { capacity: 2, refillPerSec: 1 },
    });
    const pipeline = createPipeline([createRateLimitLayer(s, { now: c.now })]);
    const tool = (name: string) => makeCall({}, { tool: { name } });
    expect((await pipeline.evaluate(tool('a'))).decision.outcome).toBe('allow');
    expect((await pipeline.evaluate(tool('a'))).decision.outcome).toBe('deny');
    expect((await pipeline.evaluate(tool('b'))).decision.outcome).toBe('allow');
    const third = (await pipeline.evaluate(tool('c'))).decision;
    expect(third.reasons[0]?.code).toBe(LayerCode.RateLimited);
    c.advance(1000);
    // The failed draws above took nothing: one second refilled exactly one principal token.
    expect((await pipeline.evaluate(tool('c'))).decision.outcome).toBe('allow');
  });

  it('caps concurrent calls per principal and releases the slot on allow, deny and throw', async () => {
    const s = settingsWith({ maxConcurrent: 1 });
    const waiting: ((d: Decision) => void)[] = [];
    let mode: 'hold' | 'deny' | 'throw' = 'hold';
    const slow = defineLayer('slow', () => {
      if (mode === 'deny')
        return Promise.resolve({ outcome: 'deny', reasons: [{ layer: 'slow', code: 'no' }] });
      if (mode === 'throw') return Promise.reject(new Error('boom'));
      return new Promise<Decision>((r) => {
        waiting.push(r);
      });
    });
    const pipeline = createPipeline([createRateLimitLayer(s), slow]);
    const first = pipeline.evaluate(makeCall({}));
    // The first call holds its slot once it is waiting in the slow layer.
    await vi.waitFor(() => expect(waiting).toHaveLength(1));
    const second = (await pipeline.evaluate(makeCall({}, { tool: { name: 'x' } }))).decision;
    expect(second.reasons[0]).toMatchObject({ code: LayerCode.ConcurrencyLimited });
    expect((second.reasons[0]!.data as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    const bob = pipeline.evaluate(makeCall({}, { principal: { id: 'bob' } }));
    // Another principal is not held back by alice's slot: its call reaches the slow layer too.
    await vi.waitFor(() => expect(waiting).toHaveLength(2));
    for (const r of waiting) r({ outcome: 'allow', reasons: [] });
    expect((await first).decision.outcome).toBe('allow');
    expect((await bob).decision.outcome).toBe('allow');
    mode = 'deny';
    expect((await pipeline.evaluate(makeCall({}))).decision.reasons[0]?.code).toBe('no');
    mode = 'throw';
    expect((await pipeline.evaluate(makeCall({}))).decision.reasons[0]?.code).toBe('layer_threw');
    mode = 'deny';
    expect((await pipeline.evaluate(makeCall({}))).decision.reasons[0]?.code).toBe('no');
  });

  it('frees a slot held by a call whose downstream never settles once its deadline passes', async () => {
    const s = settingsWith({ maxConcurrent: 1 });
    const hang = defineLayer('hang', () => new Promise<Decision>(() => {}));
    const pipeline = createPipeline([createRateLimitLayer(s), hang], { deadlineMs: 30 });
    expect((await pipeline.evaluate(makeCall({}))).decision.reasons[0]?.code).toBe('deadline_exceeded');
    const again = (await pipeline.evaluate(makeCall({}))).decision;
    expect(again.reasons[0]?.code).toBe('deadline_exceeded');
  });

  it('denies fail-closed when the store fails', async () => {
    const broken: RateLimitStore = {
      take: () => Promise.reject(new Error('store unreachable')),
      acquire: () => 0,
      release: () => {},
    };
    const s = settingsWith({ perPrincipalTool: { capacity: 5, refillPerSec: 1 } });
    const d = (await createPipeline([createRateLimitLayer(s, { store: broken })]).evaluate(makeCall({})))
      .decision;
    expect(d).toMatchObject({
      outcome: 'deny',
      failure: true,
      reasons: [{ code: LayerCode.RateLimitStoreFailed }],
    });
  });

  it('denies a principal whose tier is unknown when no tier layer ran', async () => {
    const s = settingsWith({});
    const call = makeCall({}, { principal: { tier: 'root' } });
    const d = (await createPipeline([createRateLimitLayer(s)]).evaluate(call)).decision;
    expect(d.reasons[0]?.code).toBe(LayerCode.TierUnknown);
  });
});

describe('memory rate-limit store under hostile load', () => {
  it('keeps memory bounded when a caller invents endless principals and tools', () => {
    const store = new MemoryRateLimitStore({ maxBuckets: 1000 });
    for (let i = 0; i < 50_000; i++) {
      store.take([{ key: `p${i}\u0000t${i}`, capacity: 5, refillPerSec: 1 }], i);
    }
    expect(store.size.buckets).toBeLessThanOrEqual(1000);
  });

  it('drops idle buckets once they have refilled', () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 100; i++) store.take([{ key: `k${i}`, capacity: 2, refillPerSec: 10 }], 0);
    expect(store.size.buckets).toBe(100);
    for (let i = 0; i < 60; i++) store.take([{ key: 'busy', capacity: 1000, refillPerSec: 1 }], 10_000 + i);
    expect(store.size.buckets).toBeLessThan(100);
  });

  it('does not let a full bucket be overdrawn by parallel calls in one tick', async () => {
    const s = settingsWith({ perPrincipalTool: { capacity: 3, refillPerSec: 0.001 } });
    const pipeline = createPipeline([createRateLimitLayer(s)]);
    const results = await Promise.all(Array.from({ length: 20 }, () => pipeline.evaluate(makeCall({}))));
    expect(results.filter((r) => r.decision.outcome === 'allow')).toHaveLength(3);
  });
});
