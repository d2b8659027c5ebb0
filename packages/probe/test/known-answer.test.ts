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
    const c = call({ path: '/etc/passwd' });
    const r = await probe.classify(c, { alpha: 0, threshold: 0.5 });
    const tokens = promptTokens(renderCall(DEFAULT_TEMPLATE, c).text);
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
