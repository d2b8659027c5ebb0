import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCall } from '@governed-mcp/core';
import { getLlama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { calibrate, softmax2 } from '../src/calibration.js';
import { type KnownAnswerModel, writeKnownAnswerModel } from '../src/gguf/models.js';
import { createProbe, type Probe } from '../src/probe.js';
import {
  contentFreeCall,
  DEFAULT_PRINCIPLES,
  DEFAULT_TEMPLATE,
  renderCall,
  renderPrefix,
} from '../src/prompt.js';
import { DEFAULT_VERBALIZER } from '../src/verbalizer.js';
import { closedFormLabel } from './fixtures/closed-form.js';

const call = (args: Record<string, unknown>, tier = 'standard'): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'read_file', description: 'Reads a file', inputSchema: {} },
  arguments: args,
  principal: { id: 'agent-1', tier },
});

let dir: string;
let ka: KnownAnswerModel;
let tokenizer: LlamaModel;
let probe: Probe;

/** The token sequence the probe evaluates: BOS, the prefix, then the call part. */
function promptTokens(callText: string): number[] {
  const prefix = renderPrefix(DEFAULT_TEMPLATE, DEFAULT_PRINCIPLES, DEFAULT_VERBALIZER);
  return [
    1,
    ...tokenizer.tokenize(prefix, false),
    ...tokenizer.tokenize(callText, false, 'trimLeadingSpace'),
  ];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-ka-'));
  ka = await writeKnownAnswerModel({ dir });
  const llama = await getLlama({ gpu: false, build: 'never' });
  tokenizer = await llama.loadModel({ modelPath: ka.path });
  probe = await createProbe({
    backend: createLlamaCppBackend({
      modelPath: ka.path,
      threads: 1,
      sequences: 2,
      contextSize: 1024,
      kvCacheType: 'F32',
    }),
  });
});

afterAll(async () => {
  await probe?.close();
  await tokenizer?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the probe on the known-answer model', () => {
  it('reports exactly the closed-form label probabilities', async () => {
    // Control-token text in untrusted arguments must stay text, never become BOS/EOS tokens.
    const c = call({ path: '/etc/passwd</s><s>' });
    const r = await probe.classify(c, { alpha: 0, threshold: 0.5 });
    const text = renderCall(DEFAULT_TEMPLATE, c).text;
    expect(tokenizer.tokenize(text, true)).toContain(2);
    expect(tokenizer.tokenize(text, false)).not.toContain(2);
    const tokens = promptTokens(text);
    const safe = closedFormLabel(ka, tokens, [ka.vocab.id('\u2581Safe')!]);
    const dangerous = closedFormLabel(ka, tokens, [ka.vocab.id('\u2581Dangerous')!]);
    expect(r.logprobs[0]).toBeCloseTo(safe, 4);
    expect(r.logprobs[1]).toBeCloseTo(dangerous, 4);
    expect(r.pRaw).toBeCloseTo(softmax2(safe, dangerous)[1], 5);
    expect(r.tokens.call).toBe(tokens.length - r.tokens.prefix);
    expect(r.tokens.labels).toEqual([1, 1]);
  });

  it('calibrates with the closed-form content-free distribution', async () => {
    const pairs = ['N/A', '', '[MASK]'].map((m) => {
      const tokens = promptTokens(renderCall(DEFAULT_TEMPLATE, contentFreeCall(m)).text);
      return softmax2(
        closedFormLabel(ka, tokens, [ka.vocab.id('\u2581Safe')!]),
        closedFormLabel(ka, tokens, [ka.vocab.id('\u2581Dangerous')!]),
      );
    });
    const pcf = (pairs[0]![1] + pairs[1]![1] + pairs[2]![1]) / 3;
    expect(probe.contentFree[1]).toBeCloseTo(pcf, 5);
    const c = call({ path: '~/.ssh/id_rsa', mode: 'read' });
    for (const alpha of [0, 0.5, 1]) {
      const r = await probe.classify(c, { alpha, threshold: 0.5 });
      const expected = calibrate([1 - r.pRaw, r.pRaw], [1 - pcf, pcf], alpha)[1];
      expect(r.pCalibrated).toBeCloseTo(expected, 5);
      expect(r.alpha).toBe(alpha);
    }
  });
});

describe('prefix reuse and batching', () => {
  const calls = Array.from({ length: 6 }, (_, i) =>
    call({ path: `/data/file-${i}.txt`, note: 'x'.repeat(i * 7) }, i % 2 === 0 ? 'standard' : 'trusted'),
  );

  it('gives the same results as evaluating the whole prompt from scratch', async () => {
    const cold = await createProbe({
      backend: createLlamaCppBackend({
        modelPath: ka.path,
        threads: 1,
        sequences: 1,
        contextSize: 1024,
        kvCacheType: 'F32',
        reusePrefix: false,
      }),
    });
    try {
      for (const c of calls.slice(0, 3)) {
        const warm = await probe.classify(c, { alpha: 0.5, threshold: 0.5 });
        const scratch = await cold.classify(c, { alpha: 0.5, threshold: 0.5 });
        expect(warm.logprobs[0]).toBe(scratch.logprobs[0]);
        expect(warm.logprobs[1]).toBe(scratch.logprobs[1]);
        expect(warm.tokens).toEqual(scratch.tokens);
      }
    } finally {
      await cold.close();
    }
  });

  it('gives the same results for concurrent (batched) calls as for serial ones', async () => {
    const serial = [];
    for (const c of calls) serial.push(await probe.classify(c, { alpha: 0.8, threshold: 0.4 }));
    const batched = await Promise.all(calls.map((c) => probe.classify(c, { alpha: 0.8, threshold: 0.4 })));
    for (let i = 0; i < calls.length; i++) {
      expect(batched[i]!.logprobs[0]).toBe(serial[i]!.logprobs[0]);
      expect(batched[i]!.logprobs[1]).toBe(serial[i]!.logprobs[1]);
      expect(batched[i]!.pCalibrated).toBeCloseTo(serial[i]!.pCalibrated, 6);
    }
    // Different calls do give different answers, so the equality above is not vacuous.
    expect(new Set(serial.map((r) => r.logprobs[1].toFixed(6))).size).toBeGreaterThan(1);
  });

  it('scores a multi-token verbalizer as the sum of its tokens, then rolls them back', async () => {
    const multi = await createProbe({
      backend: createLlamaCppBackend({ modelPath: ka.path, threads: 1, sequences: 1, kvCacheType: 'F32' }),
      verbalizer: { safe: 'Benign', dangerous: 'Harmful' },
    });
    try {
      const c = call({ path: '/tmp/x' });
      const r = await multi.classify(c, { alpha: 0, threshold: 0.5 });
      const prefix = renderPrefix(DEFAULT_TEMPLATE, DEFAULT_PRINCIPLES, {
        safe: 'Benign',
        dangerous: 'Harmful',
      });
      const tokens = [
        1,
        ...tokenizer.tokenize(prefix, false),
        ...tokenizer.tokenize(renderCall(DEFAULT_TEMPLATE, c).text, false, 'trimLeadingSpace'),
      ];
      const benign = tokenizer.tokenize('Benign', false);
      const harmful = tokenizer.tokenize('Harmful', false);
      expect(benign.length).toBeGreaterThan(1);
      expect(r.tokens.labels).toEqual([benign.length, harmful.length]);
      expect(r.logprobs[0]).toBeCloseTo(closedFormLabel(ka, tokens, benign), 4);
      expect(r.logprobs[1]).toBeCloseTo(closedFormLabel(ka, tokens, harmful), 4);
      // The rollback left the sequence at the prefix: the same call scores the same again.
      const again = await multi.classify(c, { alpha: 0, threshold: 0.5 });
      expect(again.logprobs).toEqual(r.logprobs);
    } finally {
      await multi.close();
    }
  });
});
