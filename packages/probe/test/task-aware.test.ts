import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline, type SessionFacts, type ToolCall } from '@governed-mcp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import type { ScoreRequest } from '../src/backend/types.js';
import { writeKnownAnswerModel } from '../src/gguf/models.js';
import { createProbeLayer } from '../src/layer.js';
import { type ClassifyOptions, createProbe, type Probe } from '../src/probe.js';
import { fakeBackend } from './fixtures/fake-backend.js';

const facts = (task?: string): SessionFacts => ({
  step: 3,
  flags: [{ tool: 'read_inbox', step: 2, kinds: ['instruction'] }],
  flagged: 1,
  called: ['reads-untrusted'],
  origins: [],
  ...(task === undefined ? {} : { task }),
});

const call = (task?: string): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'send_email', description: 'Sends an email', inputSchema: {} },
  arguments: { to: 'someone@example.com', body: 'the quarterly numbers' },
  principal: { id: 'agent-7', tier: 'standard' },
  capabilities: ['sends-outside'],
  session: facts(task),
});

const TASK = 'Email the quarterly numbers to someone@example.com';
const strict = (over: Partial<ClassifyOptions> = {}): ClassifyOptions => ({
  alpha: 0.5,
  threshold: 0.5,
  ...over,
});

let dir: string;
let probe: Probe;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-task-'));
  const { path } = await writeKnownAnswerModel({ dir });
  probe = await createProbe({
    backend: createLlamaCppBackend({ modelPath: path, threads: 1, sequences: 2 }),
  });
});
afterAll(async () => {
  await probe?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the task question on a real model', () => {
  it('is not asked when the call carries no task, whatever the mode', async () => {
    const ignored = await probe.classify(call(), strict({ task: 'ignore' }));
    for (const task of ['judge', 'both'] as const) {
      const r = await probe.classify(call(), strict({ task }));
      expect(r.question).toBe('danger');
      expect(r.questions.map((q) => q.question)).toEqual(['danger']);
      expect(r.pCalibrated).toBe(ignored.pCalibrated);
    }
    const blank = await probe.classify(call('   '), strict());
    expect(blank.question).toBe('danger');
  });

  it('is asked alone, with its own verbalizers and calibration, when a task is present (the default mode)', async () => {
    const r = await probe.classify(call(TASK), strict());
    expect(r.question).toBe('task');
    expect(r.questions).toHaveLength(1);
    expect(r.verbalizers).toEqual({ safe: 'Yes', dangerous: 'No' });
    expect(r.verdict).toBe(r.pCalibrated >= 0.5 ? 'dangerous' : 'safe');
    const danger = await probe.classify(call(), strict());
    // The task makes the call part longer; the prefix is the same evaluated one.
    expect(r.tokens.call).toBeGreaterThan(danger.tokens.call);
    expect(r.tokens.prefix).toBe(danger.tokens.prefix);
    expect(probe.contentFree[1]).toBe(danger.pContentFree);
  });

  it('is ignored in ignore mode: the decision equals that of the same call without a task', async () => {
    const withTask = await probe.classify(call(TASK), strict({ task: 'ignore' }));
    const without = await probe.classify(call(), strict());
    expect(withTask.question).toBe('danger');
    expect(withTask.pCalibrated).toBe(without.pCalibrated);
  });

  it('in both mode asks the danger question and the task question, and the higher score decides', async () => {
    const r = await probe.classify(call(TASK), strict({ task: 'both' }));
    expect(r.questions.map((q) => q.question)).toEqual(['danger', 'task']);
    const [danger, task] = r.questions;
    const top = task!.pCalibrated > danger!.pCalibrated ? task! : danger!;
    expect(r.question).toBe(top.question);
    expect(r.pCalibrated).toBe(top.pCalibrated);
    const alone = await probe.classify(call(TASK), strict());
    expect(task!.pCalibrated).toBeCloseTo(alone.pCalibrated, 4);
    const threshold = Math.min(
      0.999,
      Math.max(0.001, Math.min(danger!.pCalibrated, task!.pCalibrated) + 1e-6),
    );
    const between = await probe.classify(call(TASK), strict({ task: 'both', threshold }));
    expect(between.verdict).toBe(
      Math.max(danger!.pCalibrated, task!.pCalibrated) >= threshold ? 'dangerous' : 'safe',
    );
  });

  it('scores the same call the same way every time', async () => {
    const a = await probe.classify(call(TASK), strict());
    const b = await probe.classify(call(TASK), strict());
    expect(b.pRaw).toBe(a.pRaw);
    expect(b.pCalibrated).toBe(a.pCalibrated);
  });

  it('rejects an unknown mode with probe_invalid_config', async () => {
    await expect(probe.classify(call(TASK), strict({ task: 'always' as 'judge' }))).rejects.toMatchObject({
      code: 'probe_invalid_config',
    });
  });
});

describe('the probe layer with a task', () => {
  const layerAt = (threshold: number, task?: 'ignore' | 'judge') =>
    createPipeline([
      createProbeLayer({
        probe,
        strictness: () => ({ enabled: true, alpha: 0.5, threshold }),
        ...(task === undefined ? {} : { task }),
      }),
    ]);

  it('denies probe_off_task when the task question reaches the threshold, naming the question and its scores', async () => {
    const p = (await probe.classify(call(TASK), strict())).pCalibrated;
    const denied = (await layerAt(Math.max(0.001, p - 1e-3)).evaluate(call(TASK))).decision;
    expect(denied.outcome).toBe('deny');
    expect(denied.reasons[0]).toMatchObject({
      layer: 'probe',
      code: 'probe_off_task',
      data: { question: 'task', verbalizers: { safe: 'Yes', dangerous: 'No' } },
    });
    expect(denied.reasons[0]!.detail).toContain("does not serve the user's task");
    expect(denied.reasons[0]!.data!['pCalibrated']).toBeCloseTo(p, 6);
    const allowed = (await layerAt(Math.min(0.999, p + 1e-3)).evaluate(call(TASK))).decision;
    expect(allowed.outcome).toBe('allow');
    expect(allowed.reasons[0]).toMatchObject({ code: 'probe_safe', data: { question: 'task' } });
  });

  it('asks the danger question when its task option is ignore', async () => {
    const { decision } = await layerAt(0.999, 'ignore').evaluate(call(TASK));
    expect(decision.reasons[0]).toMatchObject({ code: 'probe_safe', data: { question: 'danger' } });
  });

  it("carries every question's scores in the evidence when two were asked", async () => {
    const pipeline = createPipeline([
      createProbeLayer({
        probe,
        strictness: () => ({ enabled: true, alpha: 0.5, threshold: 0.999 }),
        task: 'both',
      }),
    ]);
    const { decision } = await pipeline.evaluate(call(TASK));
    const questions = decision.reasons[0]!.data!['questions'] as { question: string; pCalibrated: number }[];
    expect(questions.map((q) => q.question)).toEqual(['danger', 'task']);
    for (const q of questions) expect(typeof q.pCalibrated).toBe('number');
  });
});

describe("the task question's cost", () => {
  it('is set up on the first call with a task (3 content-free scores), then one forward pass per call', async () => {
    const texts: string[] = [];
    const backend = fakeBackend(async (req: ScoreRequest) => {
      texts.push(req.text);
      return { logprobs: [-1, -2], callTokens: 4 };
    });
    const p = await createProbe({ backend });
    expect(texts).toHaveLength(3);
    await p.classify(call(), strict());
    expect(texts).toHaveLength(4);
    expect(texts[3]).toContain('\nTool classes: "sends-outside"\nSession: step 3; 1 earlier result(s)');
    await p.classify(call(TASK), strict());
    expect(texts).toHaveLength(8);
    expect(texts.slice(4, 7).every((t) => t.endsWith('Answer:'))).toBe(true);
    expect(texts[7]).toContain(JSON.stringify(TASK));
    await p.classify(call(TASK), strict());
    expect(texts).toHaveLength(9);
    await p.classify(call(TASK), strict({ task: 'both' }));
    expect(texts).toHaveLength(11);
  });

  it('is set up with the probe when prepareTask is set', async () => {
    let scores = 0;
    const backend = fakeBackend(async () => {
      scores++;
      return { logprobs: [-1, -2], callTokens: 4 };
    });
    await createProbe({ backend, prepareTask: true });
    expect(scores).toBe(6);
  });
});
