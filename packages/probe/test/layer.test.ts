import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPipeline,
  createTierLayer,
  DEFAULT_SETTINGS,
  parseSettings,
  type ToolCall,
} from '@governed-mcp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { writeKnownAnswerModel } from '../src/gguf/models.js';
import { createProbeLayer, probeEvidence } from '../src/layer.js';
import { createProbe, type Probe } from '../src/probe.js';

const call = (tier: string): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'send_email', description: 'Sends an email', inputSchema: {} },
  arguments: { to: 'someone@example.com', body: 'the quarterly numbers' },
  principal: { id: 'agent-7', tier },
});

let dir: string;
let probe: Probe;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-layer-'));
  const { path } = await writeKnownAnswerModel({ dir });
  probe = await createProbe({
    backend: createLlamaCppBackend({ modelPath: path, threads: 1, sequences: 2 }),
  });
});
afterAll(async () => {
  await probe?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the probe layer', () => {
  it('denies probe_dangerous at or above the threshold and annotates allows with probe_safe below it', async () => {
    const measured = await probe.classify(call('standard'), { alpha: 0.5, threshold: 0.5 });
    const p = measured.pCalibrated;
    const at = (threshold: number) =>
      createPipeline([
        createProbeLayer({ probe, strictness: () => ({ enabled: true, alpha: 0.5, threshold }) }),
      ]).evaluate(call('standard'));
    const denied = (await at(Math.max(0.001, p - 1e-3))).decision;
    expect(denied.outcome).toBe('deny');
    expect(denied.reasons[0]).toMatchObject({ layer: 'probe', code: 'probe_dangerous' });
    expect('failure' in denied).toBe(false);
    const data = denied.reasons[0]!.data!;
    expect(data['pCalibrated']).toBeCloseTo(p, 6);
    expect(data).toMatchObject({
      verdict: 'dangerous',
      alpha: 0.5,
      verbalizers: { safe: 'Safe', dangerous: 'Dangerous' },
    });
    for (const key of ['pRaw', 'pCalibrated', 'alpha', 'threshold', 'verbalizers', 'tokens', 'ms'])
      expect(data).toHaveProperty(key);

    const allowed = (await at(Math.min(0.999, p + 1e-3))).decision;
    expect(allowed.outcome).toBe('allow');
    expect(allowed.reasons).toEqual([expect.objectContaining({ layer: 'probe', code: 'probe_safe' })]);
  });

  it('uses the default tier profile of the principal: stronger calibration for privileged callers', async () => {
    const layer = createProbeLayer({ probe });
    const pipeline = createPipeline([layer]);
    const alphaOf = async (tier: string) => {
      const { decision } = await pipeline.evaluate(call(tier));
      return decision.reasons.find((r) => r.layer === 'probe')?.data?.['alpha'];
    };
    expect(await alphaOf('standard')).toBe(0.5);
    expect(await alphaOf('trusted')).toBe(0.8);
    expect(await alphaOf('privileged')).toBe(1);
    expect(await alphaOf('no-such-tier')).toBe(0.5); // unknown tiers get the least trusted profile
  });

  it('follows the strictness the tier layer resolved for the tool when it runs first', async () => {
    const settings = parseSettings({
      ...DEFAULT_SETTINGS,
      tools: [{ match: 'send_*', tier: 'standard', probe: { alpha: 0.25, threshold: 0.9 } }],
    });
    const pipeline = createPipeline([createTierLayer(settings), createProbeLayer({ probe })]);
    const { decision } = await pipeline.evaluate(call('privileged'));
    expect(decision.reasons.find((r) => r.layer === 'probe')?.data).toMatchObject({
      alpha: 0.25,
      threshold: 0.9,
    });
  });

  it('passes straight to the next layer when the tier disables the probe', async () => {
    const layer = createProbeLayer({
      probe,
      strictness: () => ({ enabled: false, alpha: 0, threshold: 0.5 }),
    });
    const { decision } = await createPipeline([layer]).evaluate(call('standard'));
    expect(decision).toEqual({ outcome: 'allow', reasons: [] });
  });

  it('builds its probe from a factory given the principles', async () => {
    let seen: readonly string[] | undefined;
    const layer = createProbeLayer({
      principles: ['Never email numbers.'],
      probe: async (principles) => {
        seen = principles;
        return probe;
      },
    });
    await createPipeline([layer]).evaluate(call('standard'));
    expect(seen).toEqual(['Never email numbers.']);
  });
});

describe('the probe evidence', () => {
  it('holds only values canonical JSON can carry', () => {
    const data = probeEvidence({
      verdict: 'dangerous',
      pRaw: 1,
      pCalibrated: 1,
      pContentFree: 0.5,
      alpha: 0.5,
      threshold: 0.5,
      verbalizers: { safe: 'Safe', dangerous: 'Dangerous' },
      logprobs: [Number.NEGATIVE_INFINITY, -0.1],
      tokens: { prefix: 1, call: 2, labels: [1, 1] },
      ms: 3,
      truncated: false,
    });
    expect(data['logprobs']).toEqual([null, -0.1]);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });
});
