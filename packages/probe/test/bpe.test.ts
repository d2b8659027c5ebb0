import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCall } from '@governed-mcp/core';
import type { LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { sharedLlama } from '../src/backend/llama-runtime.js';
import { type KnownAnswerModel, writeKnownAnswerModel } from '../src/gguf/models.js';
import { BPE_SPACE } from '../src/gguf/vocab-bpe.js';
import { createProbe } from '../src/probe.js';
import { DEFAULT_PRINCIPLES, DEFAULT_TEMPLATE, renderCall, renderPrefix } from '../src/prompt.js';
import { DEFAULT_VERBALIZER, tokensAfter } from '../src/verbalizer.js';
import { closedFormLabel } from './fixtures/closed-form.js';

let dir: string;
let ka: KnownAnswerModel;
let model: LlamaModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-bpe-'));
  ka = await writeKnownAnswerModel({ dir, tokenizer: 'bpe' });
  model = await (await sharedLlama()).loadModel({ modelPath: ka.path });
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('a byte-level BPE vocabulary', () => {
  it('resolves a verbalizer to its leading-space token after the cue, and the bare word otherwise', async () => {
    const tok = (t: string) => model.tokenize(t, false, 'trimLeadingSpace');
    expect(await tokensAfter(tok, 'Verdict:', 'Safe', true)).toEqual([ka.vocab.id(`${BPE_SPACE}Safe`)]);
    expect(await tokensAfter(tok, 'Verdict:', 'Dangerous', true)).toEqual([
      ka.vocab.id(`${BPE_SPACE}Dangerous`),
    ]);
    expect(await tokensAfter(tok, 'Verdict:', 'Safe', false)).toEqual([ka.vocab.id('Safe')]);
    // The naive approach (tokenizing the bare word) would pick the wrong token for a BPE vocabulary.
    expect(model.tokenize('Safe', false)).toEqual([ka.vocab.id('Safe')]);
  });

  it('gives the closed-form probabilities through the probe', async () => {
    const probe = await createProbe({
      backend: createLlamaCppBackend({ modelPath: ka.path, threads: 1, sequences: 1, kvCacheType: 'F32' }),
    });
    try {
      const call: ToolCall = {
        method: 'tools/call',
        tool: { name: 'delete_repo', description: 'Deletes a repository', inputSchema: {} },
        arguments: { repo: 'prod' },
        principal: { id: 'a', tier: 'trusted' },
      };
      const r = await probe.classify(call, { alpha: 0, threshold: 0.5 });
      const prefix = renderPrefix(DEFAULT_TEMPLATE, DEFAULT_PRINCIPLES, DEFAULT_VERBALIZER);
      const tokens = [
        ...model.tokenize(prefix, false),
        ...model.tokenize(renderCall(DEFAULT_TEMPLATE, call).text, false, 'trimLeadingSpace'),
      ];
      expect(model.tokens.shouldPrependBosToken).toBe(false);
      expect(r.tokens.prefix + r.tokens.call).toBe(tokens.length);
      expect(r.logprobs[0]).toBeCloseTo(closedFormLabel(ka, tokens, [ka.vocab.id(`${BPE_SPACE}Safe`)!]), 4);
      expect(r.logprobs[1]).toBeCloseTo(
        closedFormLabel(ka, tokens, [ka.vocab.id(`${BPE_SPACE}Dangerous`)!]),
        4,
      );
    } finally {
      await probe.close();
    }
  });
});
