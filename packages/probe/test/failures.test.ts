import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline, type ToolCall } from '@governed-mcp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGguf } from '../src/backend/gguf-check.js';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { loadInChild } from '../src/backend/load-check.js';
import { writeKnownAnswerModel } from '../src/gguf/models.js';
import { createProbeLayer } from '../src/layer.js';
import { createProbe } from '../src/probe.js';
import { delay, fakeBackend } from './fixtures/fake-backend.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'write_file', inputSchema: {} },
  arguments: { path: '/tmp/a', content: 'hello' },
  principal: { id: 'p', tier: 'standard' },
};
const strict = { alpha: 0.5, threshold: 0.5 };
const backendFor = (modelPath: string) =>
  createLlamaCppBackend({ modelPath, threads: 1, sequences: 1, contextSize: 1024 });
let dir: string;
let good: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-fail-'));
  good = (await writeKnownAnswerModel({ dir })).path;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a model that must not be loaded', () => {
  it('aborts a bare llama.cpp process when llama.feed_forward_length is missing', async () => {
    const bad = (
      await writeKnownAnswerModel({
        dir,
        fileName: 'no-ffn.gguf',
        omitMetadata: ['llama.feed_forward_length'],
      })
    ).path;
    // What the check protects against: loading the file directly kills the whole process.
    const bare = await loadInChild(bad).then(
      () => 'loaded',
      (err: Error) => err.message,
    );
    expect(bare).toMatch(/the loader died with SIGABRT/);
    // The probe refuses it with probe_model_invalid, and this process lives on to score a good model.
    await expect(createProbe({ backend: backendFor(bad) })).rejects.toMatchObject({
      code: 'probe_model_invalid',
    });
    const probe = await createProbe({ backend: backendFor(good) });
    expect((await probe.classify(call, strict)).verdict).toMatch(/safe|dangerous/);
    await probe.close();
  });

  it('rejects a truncated file, a non-GGUF file, a missing file and a directory', async () => {
    const bytes = await readFile(good);
    const truncated = join(dir, 'truncated.gguf');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 4096));
    const garbage = join(dir, 'garbage.gguf');
    await writeFile(garbage, 'GGUF but not really, just text');
    for (const path of [truncated, garbage, join(dir, 'missing.gguf'), dir]) {
      await expect(checkGguf(path)).rejects.toMatchObject({ code: 'probe_model_invalid' });
      await expect(createProbe({ backend: backendFor(path) })).rejects.toMatchObject({
        code: 'probe_model_invalid',
      });
    }
    await expect(checkGguf(good)).resolves.toMatchObject({ architecture: 'llama' });
  });

  it('refuses crafted headers quickly instead of looping over the counts they claim', async () => {
    const header = (version: number, tensors: bigint, kvs: bigint, tail: Buffer) => {
      const h = Buffer.alloc(24);
      h.write('GGUF', 0, 'latin1');
      h.writeUInt32LE(version, 4);
      h.writeBigUInt64LE(tensors, 8);
      h.writeBigUInt64LE(kvs, 16);
      return Buffer.concat([h, tail]);
    };
    const junk = Buffer.from('not a model at all, just text '.repeat(40));
    const cases = {
      short: Buffer.from('GGUF but not really'),
      huge: header(3, 2n ** 60n, 2n ** 60n, junk),
      version: header(99, 1n, 1n, junk),
      plausible: header(3, 2n, 3n, junk),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const path = join(dir, `crafted-${name}.gguf`);
      await writeFile(path, bytes);
      const started = performance.now();
      await expect(checkGguf(path)).rejects.toMatchObject({ code: 'probe_model_invalid' });
      expect(performance.now() - started, name).toBeLessThan(12_000);
    }
  }, 60_000);

  it('rejects a tensor table that does not match block_count', async () => {
    const bad = (await writeKnownAnswerModel({ dir, fileName: 'blocks.gguf' })).path;
    const bytes = await readFile(bad);
    // Rewrite block_count (u32 after its key) from 1 to 2.
    const key = Buffer.from('llama.block_count');
    const at = bytes.indexOf(key) + key.length + 4;
    bytes.writeUInt32LE(2, at);
    await writeFile(bad, bytes);
    await expect(checkGguf(bad)).rejects.toThrow(/block_count/);
  });
});

describe('every failure of the probe layer denies', () => {
  const run = async (layer: ReturnType<typeof createProbeLayer>, deadlineMs = 2000) =>
    (await createPipeline([layer], { deadlineMs }).evaluate(call)).decision;

  it('denies probe_model_invalid on every call when the model failed to load', async () => {
    const layer = createProbeLayer({
      probe: createProbe({ backend: backendFor(join(dir, 'missing.gguf')) }),
    });
    for (let i = 0; i < 2; i++) {
      const d = await run(layer);
      expect(d).toMatchObject({
        outcome: 'deny',
        failure: true,
        reasons: [{ layer: 'probe', code: 'probe_model_invalid' }],
      });
    }
  });

  it('denies probe_backend_error when the backend crashed under the probe', async () => {
    const probe = await createProbe({ backend: backendFor(good) });
    await probe.close(); // the model and context are gone, as after a crash
    const d = await run(createProbeLayer({ probe }));
    expect(d).toMatchObject({ outcome: 'deny', failure: true, reasons: [{ code: 'probe_backend_error' }] });
  });

  it('denies probe_backend_error when the backend throws something that is not ours', async () => {
    let crash = false;
    const probe = await createProbe({
      backend: fakeBackend(async () =>
        crash ? Promise.reject(new TypeError('boom')) : { logprobs: [-1, -1], callTokens: 1 },
      ),
    });
    crash = true;
    const d = await run(createProbeLayer({ probe }));
    expect(d).toMatchObject({ outcome: 'deny', failure: true, reasons: [{ code: 'probe_backend_error' }] });
  });

  it('denies probe_timeout when the probe outlives the call deadline, and frees the slot later', async () => {
    let slow = false;
    const backend = fakeBackend(async () => {
      if (slow) await delay(1500);
      return { logprobs: [-0.1, -3], callTokens: 5 };
    });
    const probe = await createProbe({ backend });
    slow = true;
    const started = performance.now();
    // The probe's own timeout leaves 10 % of the call's time (80 ms here) for the layer to answer, so a
    // loaded machine's event-loop lag does not hand the deny to the pipeline's deadline instead.
    const d = await run(createProbeLayer({ probe }), 800);
    expect(performance.now() - started).toBeLessThan(1400);
    expect(d).toMatchObject({
      outcome: 'deny',
      failure: true,
      reasons: [{ layer: 'probe', code: 'probe_timeout' }],
    });
    // The abandoned evaluation still holds the only slot; the next call waits for it, then runs.
    slow = false;
    expect((await probe.classify(call, { ...strict, timeoutMs: 10_000 })).verdict).toBe('safe');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('denies probe_timeout for an already aborted signal on the real backend', async () => {
    const probe = await createProbe({ backend: backendFor(good) });
    await expect(probe.classify(call, { ...strict, signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'probe_timeout',
    });
    await probe.close();
  });

  it('denies probe_overloaded once the bounded queue is full', async () => {
    let hold = false;
    const probe = await createProbe({
      backend: fakeBackend(async () => {
        if (hold) await delay(100);
        return { logprobs: [-0.1, -3], callTokens: 5 };
      }),
      maxQueue: 2,
    });
    hold = true;
    const layer = createProbeLayer({ probe });
    const decisions = await Promise.all(Array.from({ length: 6 }, () => run(layer)));
    const codes = decisions.map((d) => d.reasons[0]?.code);
    // One runs, two wait, three are refused at once.
    expect(codes.filter((c) => c === 'probe_overloaded')).toHaveLength(3);
    expect(codes.filter((c) => c === 'probe_safe')).toHaveLength(3);
    for (const d of decisions.filter((x) => x.outcome === 'deny')) expect(d).toMatchObject({ failure: true });
  });

  it('denies probe_invalid_config for strictness outside its range', async () => {
    const probe = await createProbe({
      backend: fakeBackend(async () => ({ logprobs: [-1, -1], callTokens: 1 })),
    });
    const layer = createProbeLayer({
      probe,
      strictness: () => ({ enabled: true, alpha: 2, threshold: 0.5 }),
    });
    expect(await run(layer)).toMatchObject({
      outcome: 'deny',
      failure: true,
      reasons: [{ code: 'probe_invalid_config' }],
    });
  });
});

describe('a constitution too long for the context', () => {
  it('is refused at creation instead of being shifted out of the context', async () => {
    const principles = Array.from({ length: 200 }, (_, i) => `Principle number ${i} says nothing at all.`);
    await expect(
      createProbe({
        backend: createLlamaCppBackend({ modelPath: good, threads: 1, sequences: 1, contextSize: 512 }),
        principles,
      }),
    ).rejects.toMatchObject({ code: 'probe_invalid_config' });
  });
});

describe('a trial load in a child process', () => {
  it('passes a good model and refuses one whose load kills the loader', async () => {
    await expect(loadInChild(good)).resolves.toBeUndefined();
    // A file past the header checks' reach: the checks are bypassed here to show the child's value.
    const bad = (
      await writeKnownAnswerModel({
        dir,
        fileName: 'child.gguf',
        omitMetadata: ['llama.feed_forward_length'],
      })
    ).path;
    await expect(loadInChild(bad)).rejects.toMatchObject({ code: 'probe_model_invalid' });
    const probe = await createProbe({
      backend: createLlamaCppBackend({ modelPath: good, threads: 1, sequences: 1, validateInChild: true }),
    });
    await probe.close();
  });
});
