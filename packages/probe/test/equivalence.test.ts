import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCall } from '@governed-mcp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { writeRandomModel } from '../src/gguf/models.js';
import { createProbe, type Probe } from '../src/probe.js';

// A model with real attention and feed-forward weights, where a reused prefix or a shared batch
// could change results if the cache or the batching were wrong.
let dir: string;
let warm: Probe;
let cold: Probe;
const calls: ToolCall[] = Array.from({ length: 6 }, (_, i) => ({
  method: 'tools/call',
  tool: { name: i % 2 ? 'run_shell' : 'read_file', description: 'A tool', inputSchema: {} },
  arguments: { target: `/srv/data/${i}`, payload: 'y'.repeat(i * 11) },
  principal: { id: `agent-${i}`, tier: 'standard' },
}));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-eq-'));
  const { path } = await writeRandomModel({
    dir,
    shape: { embedding: 64, blocks: 2, heads: 4, feedForward: 128 },
  });
  const options = { modelPath: path, threads: 1, contextSize: 1024 } as const;
  warm = await createProbe({ backend: createLlamaCppBackend({ ...options, sequences: 3 }) });
  cold = await createProbe({
    backend: createLlamaCppBackend({ ...options, sequences: 1, reusePrefix: false }),
  });
});
afterAll(async () => {
  await warm?.close();
  await cold?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('on a random-weight model with attention', () => {
  it('prefix reuse, evaluation from scratch and batched evaluation give bit-identical results', async () => {
    const strict = { alpha: 0.5, threshold: 0.5 };
    const serial = [];
    for (const c of calls) serial.push(await warm.classify(c, strict));
    const scratch = [];
    for (const c of calls) scratch.push(await cold.classify(c, strict));
    const batched = await Promise.all(calls.map((c) => warm.classify(c, strict)));
    for (let i = 0; i < calls.length; i++) {
      for (const k of [0, 1] as const) {
        expect(scratch[i]!.logprobs[k]).toBe(serial[i]!.logprobs[k]);
        expect(batched[i]!.logprobs[k]).toBe(serial[i]!.logprobs[k]);
      }
    }
    expect(new Set(serial.map((r) => r.logprobs[1].toFixed(5))).size).toBeGreaterThan(1);
  });
});
