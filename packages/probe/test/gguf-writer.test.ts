import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModel } from '../src/gguf/models.js';
import { buildSpmVocab, SPM_SPACE } from '../src/gguf/vocab.js';
import { encodeGguf, writeGguf } from '../src/gguf/writer.js';
import { tokensAfter } from '../src/verbalizer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-gguf-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the GGUF writer', () => {
  it('writes a file that the GGUF reader parses back: metadata, tensor shapes and offsets', async () => {
    const path = join(dir, 'plain.gguf');
    await writeGguf(path, {
      metadata: {
        'general.architecture': { type: 'string', value: 'llama' },
        'x.count': { type: 'u32', value: 7 },
        'x.flag': { type: 'bool', value: true },
        'x.names': { type: 'string[]', value: ['a', 'bé'] },
        'x.eps': { type: 'f32', value: 0.5 },
      },
      tensors: [
        { name: 'a', dims: [3, 2], data: new Float32Array(6).fill(1) },
        { name: 'b', dims: [5], data: new Float32Array(5) },
      ],
    });
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    const meta = info.metadata as unknown as { x: Record<string, unknown> };
    expect(meta.x).toEqual({ count: 7, flag: true, names: ['a', 'bé'], eps: 0.5 });
    const tensors = info.tensorInfo!;
    expect(tensors.map((t) => [t.name, t.dimensions.map(Number), Number(t.offset)])).toEqual([
      ['a', [3, 2], 0],
      ['b', [5], 32],
    ]);
  });

  it('refuses a tensor whose data does not fill its dims', () => {
    expect(() =>
      encodeGguf({ metadata: {}, tensors: [{ name: 't', dims: [4, 4], data: new Float32Array(15) }] }),
    ).toThrow(RangeError);
  });
});

describe('the test vocabulary and verbalizer resolution', () => {
  it('tokenizes listed words as one token and resolves the leading-space variant after a cue', async () => {
    const vocab = buildSpmVocab();
    const { path } = await writeRandomModel({
      dir,
      shape: { embedding: 32, blocks: 1, heads: 2, feedForward: 32 },
    });
    const llama = await getLlama({ gpu: false, build: 'never' });
    const model = await llama.loadModel({ modelPath: path });
    try {
      const tok = (t: string) => model.tokenize(t, false, 'trimLeadingSpace');
      expect(await tokensAfter(tok, 'Verdict:', 'Safe', true)).toEqual([vocab.id(`${SPM_SPACE}Safe`)]);
      // Without the leading space it is the unmarked token, a different id.
      expect(await tokensAfter(tok, 'Verdict:', 'Safe', false)).toEqual([vocab.id('Safe')]);
      expect(vocab.id('Safe')).not.toBe(vocab.id(`${SPM_SPACE}Safe`));
      // A word outside the vocabulary spans several tokens.
      expect((await tokensAfter(tok, 'Verdict:', 'Benign', true)).length).toBeGreaterThan(1);
    } finally {
      await model.dispose();
    }
  });

  it('rejects a verbalizer that merges with the end of the prompt', async () => {
    // A toy BPE-like tokenizer where "::" is one token: appending ":" to a cue ending in ":" merges.
    const tok = (t: string) => t.match(/::|./gs)!.map((c) => c.charCodeAt(0) + c.length * 1000);
    await expect(tokensAfter(tok, 'Verdict:', ':', false)).rejects.toMatchObject({
      code: 'probe_invalid_config',
    });
    expect(await tokensAfter(tok, 'Verdict:', 'x', false)).toEqual(['x'.charCodeAt(0) + 1000]);
  });
});
