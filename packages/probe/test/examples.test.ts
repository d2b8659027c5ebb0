import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolCall } from '@governed-mcp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import type { ProbeBackend } from '../src/backend/types.js';
import {
  DEFAULT_EXAMPLES,
  exampleToolCall,
  MAX_EXAMPLES,
  type ProbeExample,
  renderExamples,
} from '../src/examples.js';
import { writeKnownAnswerModel } from '../src/gguf/models.js';
import { clearCalibrationCache, createProbe } from '../src/probe.js';
import { DEFAULT_TEMPLATE, renderCall } from '../src/prompt.js';
import { DEFAULT_VERBALIZER } from '../src/verbalizer.js';
import { fakeBackend } from './fixtures/fake-backend.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'list_notes', description: 'Lists notes', inputSchema: {} },
  arguments: { folder: 'inbox' },
  principal: { id: 'agent-1', tier: 'standard' },
};
const strict = { alpha: 0.5, threshold: 0.5 };

/** A scripted backend under a fixed model id, recording the prefixes it prepares and the scores it runs. */
function recordingBackend(id: string): ProbeBackend & { prefixes: string[]; scores: number } {
  const inner = fakeBackend(async () => ({ logprobs: [-1, -2], callTokens: 4 }));
  const b = {
    ...inner,
    prefixes: [] as string[],
    scores: 0,
    describe: () => ({ kind: 'fake', id, parallel: 1 }),
    prepare: async (text: string) => {
      b.prefixes.push(text);
      return { text, tokenCount: text.length };
    },
    score: async (req: Parameters<ProbeBackend['score']>[0]) => {
      b.scores++;
      return inner.score(req);
    },
  };
  return b;
}

describe('the default examples', () => {
  it('are between 8 and 12, half safe and half dangerous', () => {
    expect(DEFAULT_EXAMPLES.length).toBeGreaterThanOrEqual(8);
    expect(DEFAULT_EXAMPLES.length).toBeLessThanOrEqual(12);
    const dangerous = DEFAULT_EXAMPLES.filter((e) => e.verdict === 'dangerous').length;
    expect(dangerous * 2).toBe(DEFAULT_EXAMPLES.length);
  });
});

describe('the rendered examples block', () => {
  it('is each example rendered as a real call, followed by its verbalizer word and a newline', () => {
    const block = renderExamples(DEFAULT_TEMPLATE, DEFAULT_EXAMPLES, DEFAULT_VERBALIZER);
    const expected = DEFAULT_EXAMPLES.map(
      (e) =>
        `${renderCall(DEFAULT_TEMPLATE, exampleToolCall(e.call)).text} ${DEFAULT_VERBALIZER[e.verdict]}\n`,
    ).join('');
    expect(block).toBe(expected);
    expect(block.split('\n').filter((l) => l.startsWith('Verdict: '))).toHaveLength(DEFAULT_EXAMPLES.length);
    expect(block).toContain('Verdict: Dangerous\n');
    expect(block).toContain('Verdict: Safe\n');
  });

  it('renders deterministically, whatever the key order of the arguments', () => {
    const a: ProbeExample = { verdict: 'safe', call: { tool: { name: 't' }, arguments: { x: 1, y: 'b' } } };
    const b: ProbeExample = { verdict: 'safe', call: { tool: { name: 't' }, arguments: { y: 'b', x: 1 } } };
    const once = renderExamples(DEFAULT_TEMPLATE, [a, ...DEFAULT_EXAMPLES], DEFAULT_VERBALIZER);
    expect(renderExamples(DEFAULT_TEMPLATE, [b, ...DEFAULT_EXAMPLES], DEFAULT_VERBALIZER)).toBe(once);
  });

  it('follows the verbalizer without a space when leadingSpace is false', () => {
    const v = { safe: 'Safe', dangerous: 'Dangerous', leadingSpace: false };
    expect(renderExamples(DEFAULT_TEMPLATE, DEFAULT_EXAMPLES.slice(0, 1), v)).toMatch(/Verdict:Safe\n$/);
  });

  it('is empty for no examples', () => {
    expect(renderExamples(DEFAULT_TEMPLATE, [], DEFAULT_VERBALIZER)).toBe('');
  });

  it('rejects more than 32 examples, an oversized block and an unknown verdict with probe_invalid_config', () => {
    const many = Array.from({ length: MAX_EXAMPLES + 1 }, () => DEFAULT_EXAMPLES[0]!);
    expect(() => renderExamples(DEFAULT_TEMPLATE, many, DEFAULT_VERBALIZER)).toThrow(
      expect.objectContaining({ code: 'probe_invalid_config' }),
    );
    const big: ProbeExample = {
      verdict: 'safe',
      call: { tool: { name: 'write_file' }, arguments: { content: 'x'.repeat(1900) } },
    };
    expect(() => renderExamples(DEFAULT_TEMPLATE, Array(9).fill(big), DEFAULT_VERBALIZER)).toThrow(
      /at most 16384 fit the prefix/,
    );
    const odd = { ...DEFAULT_EXAMPLES[0]!, verdict: 'maybe' } as unknown as ProbeExample;
    expect(() => renderExamples(DEFAULT_TEMPLATE, [odd], DEFAULT_VERBALIZER)).toThrow(
      expect.objectContaining({ code: 'probe_invalid_config' }),
    );
  });
});

describe('a probe with examples', () => {
  it('prepares the examples after the instructions, in the one shared prefix', async () => {
    const plain = recordingBackend('m-prefix');
    await createProbe({ backend: plain });
    const shot = recordingBackend('m-prefix');
    await createProbe({ backend: shot, examples: DEFAULT_EXAMPLES });
    const block = renderExamples(DEFAULT_TEMPLATE, DEFAULT_EXAMPLES, DEFAULT_VERBALIZER);
    expect(shot.prefixes).toEqual([plain.prefixes[0]! + block]);
  });

  it('keys the calibration by the examples: the same examples reuse it, other examples measure anew', async () => {
    clearCalibrationCache();
    const first = recordingBackend('m-key');
    const a = await createProbe({ backend: first, examples: DEFAULT_EXAMPLES.slice(0, 2) });
    expect(first.scores).toBe(3);
    const same = recordingBackend('m-key');
    const b = await createProbe({ backend: same, examples: DEFAULT_EXAMPLES.slice(0, 2) });
    expect(same.scores).toBe(0);
    expect(b.describe().template).toBe(a.describe().template);
    const other = recordingBackend('m-key');
    const c = await createProbe({ backend: other, examples: DEFAULT_EXAMPLES.slice(0, 4) });
    expect(other.scores).toBe(3);
    const none = recordingBackend('m-key');
    const d = await createProbe({ backend: none });
    expect(none.scores).toBe(3);
    const digests = new Set([a, c, d].map((p) => p.describe().template));
    expect(digests.size).toBe(3);
  });

  it('refuses too many examples with probe_invalid_config and closes its backend', async () => {
    const b = recordingBackend('m-many');
    let closed = false;
    b.close = async () => {
      closed = true;
    };
    const many = Array.from({ length: 33 }, () => DEFAULT_EXAMPLES[1]!);
    await expect(createProbe({ backend: b, examples: many })).rejects.toMatchObject({
      code: 'probe_invalid_config',
    });
    expect(closed).toBe(true);
    expect(b.prefixes).toEqual([]);
  });
});

describe('examples on a real model', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'probe-examples-'));
    ({ path } = await writeKnownAnswerModel({ dir }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const open = (examples?: readonly ProbeExample[]) =>
    createProbe({
      backend: createLlamaCppBackend({ modelPath: path, threads: 1, sequences: 1 }),
      ...(examples === undefined ? {} : { examples }),
    });

  it('lengthen the evaluated prefix and change the calibration key, but not the tokens a call costs', async () => {
    const plain = await open();
    const shot = await open(DEFAULT_EXAMPLES.slice(0, 4));
    try {
      const a = await plain.classify(call, strict);
      const b = await shot.classify(call, strict);
      expect(b.tokens.prefix).toBeGreaterThan(a.tokens.prefix);
      expect(b.tokens.call).toBe(a.tokens.call);
      expect(Number.isFinite(b.pCalibrated)).toBe(true);
      expect(shot.describe().template).not.toBe(plain.describe().template);
      const again = await shot.classify(call, strict);
      expect(again.pRaw).toBe(b.pRaw);
    } finally {
      await plain.close();
      await shot.close();
    }
  });
});
