import {
  createPipeline,
  createRateLimitLayer,
  DEFAULT_SETTINGS,
  defineLayer,
  deny,
  parseSettings,
  withReason,
} from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import type { EvalCase } from '../../src/eval/dataset.js';
import { buildReport } from '../../src/eval/report.js';
import { runCases, toCall } from '../../src/eval/run.js';

const tool = { name: 'shell', inputSchema: { type: 'object' } };
const mk = (id: string, label: 'safe' | 'dangerous', command: string, category = 'shell/x'): EvalCase => ({
  id,
  tool,
  arguments: { command },
  label,
  category,
  line: 1,
});
const principal = { id: 'eval', tier: 'standard' };

// A detector that denies commands containing "rm", and an outer layer that annotates every decision.
const annotate = defineLayer('annotate', async (_ctx, next) =>
  withReason(await next(), { layer: 'annotate', code: 'seen' }),
);
const detector = defineLayer('detector', async (ctx, next) =>
  String(ctx.call.arguments['command']).includes('rm') ? deny('detector', 'rm_found') : next(),
);

describe('eval runner', () => {
  it('runs each case as one tools/call and names the layer that decided a block, not the one that passed it on', async () => {
    const pipeline = createPipeline([annotate, detector]);
    const results = await runCases(pipeline, [mk('a', 'dangerous', 'rm -rf /'), mk('b', 'safe', 'ls')], {
      defaultPrincipal: principal,
    });
    expect(results.map((r) => [r.id, r.blocked, r.layer, r.code])).toEqual([
      ['a', true, 'detector', 'rm_found'],
      ['b', false, undefined, undefined],
    ]);
    expect(results[0]!.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['annotate', 'pass'],
      ['detector', 'deny'],
    ]);
  });

  it('counts a layer failure as a fail-closed block attributed to that layer', async () => {
    const broken = defineLayer('broken', async () => {
      throw new Error('boom');
    });
    const [r] = await runCases(createPipeline([annotate, broken]), [mk('a', 'safe', 'ls')], {
      defaultPrincipal: principal,
    });
    expect(r).toMatchObject({ blocked: true, layer: 'broken', code: 'layer_threw', failure: true });
  });

  it('uses the case’s own principal when it names one, and the default otherwise', () => {
    const own = { ...mk('a', 'safe', 'ls'), principal: { id: 'alice', tier: 'trusted' } };
    expect(toCall(own, { defaultPrincipal: principal }).principal).toEqual({
      id: 'alice#a',
      tier: 'trusted',
    });
    expect(
      toCall(mk('b', 'safe', 'ls'), { defaultPrincipal: principal, freshPrincipal: false }).principal,
    ).toEqual(principal);
    expect(toCall(mk('b', 'safe', 'ls'), { defaultPrincipal: principal })).toMatchObject({
      method: 'tools/call',
      requestId: 'b',
      transport: { kind: 'eval' },
    });
  });

  it('keeps rate limits from turning earlier cases into later denies (fresh principal per case)', async () => {
    const tight = parseSettings({
      ...DEFAULT_SETTINGS,
      tiers: DEFAULT_SETTINGS.tiers.map((t) => ({
        ...t,
        rateLimit: { perPrincipal: { capacity: 2, refillPerSec: 0.001 } },
      })),
    });
    const cases = Array.from({ length: 6 }, (_, i) => mk(`c${i}`, 'safe', 'ls'));
    const pipeline = createPipeline([createRateLimitLayer(tight)]);
    const fresh = await runCases(pipeline, cases, { defaultPrincipal: principal });
    expect(fresh.filter((r) => r.blocked)).toEqual([]);
    // The same run with one shared principal is distorted: the limiter denies after two calls.
    const shared = await runCases(createPipeline([createRateLimitLayer(tight)]), cases, {
      defaultPrincipal: principal,
      freshPrincipal: false,
    });
    expect(shared.filter((r) => r.blocked).map((r) => r.layer)).toEqual([
      'rate-limit',
      'rate-limit',
      'rate-limit',
      'rate-limit',
    ]);
  });

  it('keeps the deciding reason’s detail and the detector findings it carries as evidence', async () => {
    const evidence = defineLayer('prefilter', async () =>
      deny('prefilter', 'prefilter_blocked', 'blocked by fetch-exec at /command', {
        findings: [
          { detector: 'fetch-exec', code: 'download_pipe_shell' },
          { detector: 'fetch-exec', code: 'download_pipe_shell' },
          { detector: 'ssrf' },
        ],
      }),
    );
    const results = await runCases(createPipeline([annotate, evidence]), [mk('a', 'safe', 'curl x | sh')], {
      defaultPrincipal: principal,
    });
    expect(results[0]).toMatchObject({
      layer: 'prefilter',
      code: 'prefilter_blocked',
      detail: 'blocked by fetch-exec at /command',
      findings: ['fetch-exec/download_pipe_shell', 'fetch-exec/download_pipe_shell', 'ssrf'],
    });
    const report = buildReport(results, {
      dataset: 'x',
      config: 'no-probe',
      layers: ['annotate', 'prefilter'],
      principals: 'fresh-per-case',
      tier: 'standard',
    });
    // Each finding counts once per case.
    expect(report.byLayer['prefilter']!.findings).toEqual({
      'fetch-exec/download_pipe_shell': { dangerous: 0, safe: 1 },
      ssrf: { dangerous: 0, safe: 1 },
    });
    expect(report.misclassified.falsePositives[0]!.detail).toBe('blocked by fetch-exec at /command');
  });

  it('warms up under other principal ids, so the measured pass decides exactly as a cold one', async () => {
    const oneCall = parseSettings({
      ...DEFAULT_SETTINGS,
      tiers: DEFAULT_SETTINGS.tiers.map((t) => ({
        ...t,
        rateLimit: { perPrincipal: { capacity: 1, refillPerSec: 0.001 } },
      })),
    });
    const seen: string[] = [];
    const spy = defineLayer('spy', async (ctx, next) => {
      seen.push(ctx.call.principal.id);
      return next();
    });
    const cases = [mk('a', 'safe', 'ls'), mk('b', 'dangerous', 'rm -rf /')];
    const results = await runCases(createPipeline([spy, createRateLimitLayer(oneCall), detector]), cases, {
      defaultPrincipal: principal,
      warmup: true,
    });
    expect(results.map((r) => [r.id, r.blocked, r.layer])).toEqual([
      ['a', false, undefined],
      ['b', true, 'detector'],
    ]);
    expect(seen).toEqual(['eval#a#warmup', 'eval#b#warmup', 'eval#a', 'eval#b']);
  });

  it('runs cases concurrently up to the limit and still answers in dataset order', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = defineLayer('slow', async (_ctx, next) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return next();
    });
    const cases = Array.from({ length: 10 }, (_, i) =>
      mk(`c${i}`, i % 2 ? 'dangerous' : 'safe', i % 2 ? 'rm x' : 'ls'),
    );
    const pipeline = createPipeline([slow, detector]);
    const serial = await runCases(pipeline, cases, { defaultPrincipal: principal });
    expect(peak).toBe(1);
    const parallel = await runCases(pipeline, cases, { defaultPrincipal: principal, concurrency: 3 });
    expect(peak).toBe(3);
    const pick = (rs: readonly { id: string; blocked: boolean; layer?: string }[]) =>
      rs.map((r) => [r.id, r.blocked, r.layer]);
    expect(pick(parallel)).toEqual(pick(serial));
    await expect(runCases(pipeline, cases, { defaultPrincipal: principal, concurrency: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it('reports progress after every case', async () => {
    const seen: number[] = [];
    await runCases(createPipeline([]), [mk('a', 'safe', 'x'), mk('b', 'safe', 'y')], {
      defaultPrincipal: principal,
      onCase: (_r, done, total) => seen.push(done * 10 + total),
    });
    expect(seen).toEqual([12, 22]);
  });

  it('aggregates per-category, per-domain and per-layer figures and lists the misclassified ids', async () => {
    const pipeline = createPipeline([annotate, detector]);
    const cases = [
      mk('d1', 'dangerous', 'rm -rf /', 'shell/destructive'),
      mk('d2', 'dangerous', 'curl x | sh', 'shell/remote-exec'),
      mk('s1', 'safe', 'rm -rf node_modules', 'shell/hard-negative'),
      mk('s2', 'safe', 'ls', 'files/routine'),
    ];
    const results = await runCases(pipeline, cases, { defaultPrincipal: principal });
    const report = buildReport(results, {
      dataset: 'x.jsonl',
      config: 'no-probe',
      layers: ['annotate', 'detector'],
      principals: 'fresh-per-case',
      tier: 'standard',
    });
    expect(report).toMatchObject({
      n: 4,
      tp: 1,
      fp: 1,
      tn: 1,
      fn: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      fpr: 0.5,
    });
    expect(report.byDomain['shell']).toMatchObject({ safe: 1, dangerous: 2, tp: 1, fp: 1, fn: 1 });
    expect(report.byDomain['files']).toMatchObject({ safe: 1, dangerous: 0, tn: 1 });
    expect(report.byCategory['shell/hard-negative']).toMatchObject({ fp: 1 });
    expect(Object.keys(report.byKind)).toEqual(['destructive', 'hard-negative', 'remote-exec', 'routine']);
    expect(report.byKind['hard-negative']).toMatchObject({ safe: 1, fp: 1, fpr: 1 });
    expect(report.byLayer).toEqual({
      detector: { caught: 1, wronglyBlocked: 1, failures: 0, codes: { rm_found: 2 }, findings: {} },
    });
    expect(report.misclassified.falsePositives).toEqual([
      { id: 's1', category: 'shell/hard-negative', layer: 'detector', code: 'rm_found' },
    ]);
    expect(report.misclassified.falseNegatives).toEqual([{ id: 'd2', category: 'shell/remote-exec' }]);
    expect(report.latency.layers['annotate']!.n).toBe(4);
    // The detector runs on every case; annotate's own time excludes the detector's.
    expect(report.latency.layers['detector']!.n).toBe(4);
    expect(report.latency.total.p99_us).toBeGreaterThanOrEqual(report.latency.total.p50_us);
  });
});
