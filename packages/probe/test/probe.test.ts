import type { ToolCall } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import type { ScoreRequest } from '../src/backend/types.js';
import { createProbe } from '../src/probe.js';
import { fakeBackend } from './fixtures/fake-backend.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'noop', inputSchema: {} },
  arguments: { x: 1 },
  principal: { id: 'p', tier: 'standard' },
};

describe('the probe primitive', () => {
  it('measures the content-free calibration once per (model, template, verbalizer) and caches it', async () => {
    const seen: string[] = [];
    const backend = fakeBackend(async (req: ScoreRequest) => {
      seen.push(req.text);
      return { logprobs: [-1, -2], callTokens: 4 };
    });
    const fixedId = { ...backend, describe: () => ({ kind: 'fake', id: 'fake:cache-test', parallel: 1 }) };
    await createProbe({ backend: fixedId });
    expect(seen).toHaveLength(3); // 'N/A', '' and '[MASK]'
    await createProbe({ backend: fixedId });
    expect(seen).toHaveLength(3); // cached
    await createProbe({ backend: fixedId, verbalizer: { safe: 'No', dangerous: 'Yes' } });
    expect(seen).toHaveLength(6); // another verbalizer is measured anew
  });

  it('reports raw and calibrated probabilities, the decision, tokens and timing', async () => {
    // Content-free inputs lean "dangerous" (p_cf = 0.8); the call itself is at 0.6.
    const backend = fakeBackend(async (req) =>
      req.text.includes('"noop"')
        ? { logprobs: [Math.log(0.4), Math.log(0.6)], callTokens: 9 }
        : { logprobs: [Math.log(0.2), Math.log(0.8)], callTokens: 4 },
    );
    const probe = await createProbe({ backend });
    expect(probe.contentFree[1]).toBeCloseTo(0.8, 12);
    const raw = await probe.classify(call, { alpha: 0, threshold: 0.5 });
    expect(raw).toMatchObject({
      verdict: 'dangerous',
      alpha: 0,
      threshold: 0.5,
      tokens: { prefix: 3, call: 9, labels: [1, 1] },
    });
    expect(raw.pRaw).toBeCloseTo(0.6, 12);
    expect(raw.ms).toBeGreaterThanOrEqual(0);
    const full = await probe.classify(call, { alpha: 1, threshold: 0.5 });
    // 0.6/0.8 against 0.4/0.2: calibration flips the verdict.
    expect(full.pCalibrated).toBeCloseTo(0.75 / (0.75 + 2), 12);
    expect(full.verdict).toBe('safe');
    expect(full.pRaw).toBe(raw.pRaw);
  });

  it('decides dangerous when the calibrated probability equals the threshold', async () => {
    const probe = await createProbe({
      backend: fakeBackend(async () => ({ logprobs: [-1, -1], callTokens: 1 })),
    });
    expect((await probe.classify(call, { alpha: 0, threshold: 0.5 })).verdict).toBe('dangerous');
  });

  it('rejects a backend answer that is not a number', async () => {
    let bad = false;
    const probe = await createProbe({
      backend: fakeBackend(async () => ({ logprobs: bad ? [Number.NaN, -1] : [-1, -1], callTokens: 1 })),
    });
    bad = true;
    await expect(probe.classify(call, { alpha: 0.5, threshold: 0.5 })).rejects.toMatchObject({
      code: 'probe_backend_error',
    });
  });
});

describe('a probe that fails to set up', () => {
  it('closes its backend and rejects when calibration yields no usable probabilities', async () => {
    let closed = false;
    const backend = {
      ...fakeBackend(async () => ({
        logprobs: [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
        callTokens: 1,
      })),
      close: async () => {
        closed = true;
      },
    };
    await expect(createProbe({ backend })).rejects.toMatchObject({ code: 'probe_backend_error' });
    expect(closed).toBe(true);
  });
});
