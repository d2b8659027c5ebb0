import { describe, expect, it } from 'vitest';
import {
  AuditChain,
  allow,
  ask,
  ChainVerifier,
  createGate,
  createMemorySink,
  createPipeline,
  defineLayer,
  deny,
  type RecordSink,
  type ToolCall,
} from '../src/index.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'send_money', inputSchema: { type: 'object' } },
  arguments: { iban: 'DE89370400440532013000', amount: 100 },
  principal: { id: 'agent-1', tier: 'standard' },
  requestId: 7,
};

const asker = defineLayer('asker', async () =>
  ask('asker', 'moves_money', 'Send 100 to DE89…3000?', 'the call moves money'),
);
const escalator = defineLayer('escalator', async (_ctx, next) => {
  const d = await next();
  return d.outcome === 'allow' ? ask('escalator', 'unusual', 'Allow this unusual call?') : d;
});
const passer = defineLayer('passer', async (_ctx, next) => next());
const waver = defineLayer('waver', async (_ctx, next) => {
  await next();
  return allow([{ layer: 'waver', code: 'looked_fine' }]);
});

describe('the ask outcome in the pipeline', () => {
  it('short-circuits like a deny when a layer asks without calling next()', async () => {
    let reached = false;
    const inner = defineLayer('inner', async (_ctx, next) => {
      reached = true;
      return next();
    });
    const ev = await createPipeline([asker, inner]).evaluate(call);
    expect(ev.decision).toMatchObject({ outcome: 'ask', question: 'Send 100 to DE89…3000?' });
    expect(reached).toBe(false);
    expect(ev.trace).toEqual([expect.objectContaining({ layer: 'asker', verdict: 'ask' })]);
  });

  it('escalates an allow to an ask when a layer asks after next()', async () => {
    const ev = await createPipeline([escalator, passer]).evaluate(call);
    expect(ev.decision.outcome).toBe('ask');
    expect(ev.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['escalator', 'ask'],
      ['passer', 'pass'],
    ]);
  });

  it('marks a layer that passes a downstream ask on unchanged as a pass-through', async () => {
    const ev = await createPipeline([passer, asker]).evaluate(call);
    expect(ev.decision.outcome).toBe('ask');
    expect(ev.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['passer', 'pass'],
      ['asker', 'ask'],
    ]);
  });

  it('keeps a downstream ask when an outer layer answers allow over it, with its reasons added', async () => {
    const ev = await createPipeline([waver, asker]).evaluate(call);
    expect(ev.decision).toMatchObject({ outcome: 'ask', question: 'Send 100 to DE89…3000?' });
    expect(ev.decision.reasons.map((r) => r.code)).toEqual(['moves_money', 'looked_fine']);
    expect(ev.trace[0]).toMatchObject({ layer: 'waver', verdict: 'pass' });
  });

  it('lets a deny outrank an ask: a layer inside the asker that denies decides', async () => {
    const denier = defineLayer('denier', async () => deny('denier', 'blocked'));
    const ev = await createPipeline([escalator, denier]).evaluate(call);
    expect(ev.decision.outcome).toBe('deny');
  });

  it('refuses an ask without a question as an invalid decision (fail-closed)', async () => {
    const bad = defineLayer('bad', async () => ({ outcome: 'ask', reasons: [] }) as never);
    const ev = await createPipeline([bad]).evaluate(call);
    expect(ev.decision).toMatchObject({ outcome: 'deny', failure: true });
    expect(ev.decision.reasons[0]?.code).toBe('layer_invalid_decision');
  });

  it('gives an ask that carries no reasons one naming the layer', async () => {
    const bare = defineLayer('bare', async () => ({ outcome: 'ask', reasons: [], question: 'Go?' }) as const);
    const ev = await createPipeline([bare]).evaluate(call);
    expect(ev.decision.reasons).toEqual([{ layer: 'bare', code: 'asked' }]);
  });
});

describe('the gate and asks', () => {
  it('records an ask decision with its question and the answer linked to it, in a chain that verifies', async () => {
    const sink = createMemorySink();
    const gate = createGate({
      pipeline: createPipeline([asker]),
      audit: new AuditChain(sink, { durability: 'write' }),
    });
    const checked = await gate.check(call);
    expect(checked.decision.outcome).toBe('ask');
    const pos = await gate.recordAnswer(call, checked, {
      verdict: 'approved',
      by: { principal: 'local:alice', client: { name: 'ide', version: '2.1' } },
      how: 'elicitation',
      ms: 1234.4,
    });
    await gate.audit?.flush();
    expect(pos?.seq).toBe(2);
    const [decision, answer] = sink.lines.map((l) => JSON.parse(l));
    expect(decision).toMatchObject({
      type: 'decision',
      data: { decision: { outcome: 'ask', question: 'Send 100 to DE89…3000?' } },
    });
    expect(answer).toMatchObject({
      type: 'answer',
      data: {
        ref: 1,
        tool: 'send_money',
        question: 'Send 100 to DE89…3000?',
        verdict: 'approved',
        by: { principal: 'local:alice', client: { name: 'ide', version: '2.1' } },
        how: 'elicitation',
        ms: 1234,
      },
    });
    const v = new ChainVerifier();
    for (const [i, l] of sink.lines.entries()) v.push(l, i + 1);
    expect(v.finish()).toMatchObject({ ok: true, records: 2 });
  });

  it('rejects recording an answer when the record cannot be written, so the caller can refuse', async () => {
    let fail = false;
    const inner = createMemorySink();
    const flaky: RecordSink = {
      write: (text, sync) => (fail ? Promise.reject(new Error('disk full')) : inner.write(text, sync)),
      close: () => inner.close(),
    };
    const gate = createGate({
      pipeline: createPipeline([asker]),
      audit: new AuditChain(flaky, { durability: 'write' }),
    });
    const checked = await gate.check(call);
    fail = true;
    await expect(
      gate.recordAnswer(call, checked, { verdict: 'declined', by: { principal: 'p' }, how: 'elicitation' }),
    ).rejects.toThrow();
  });

  it('records nothing and resolves undefined without an audit chain', async () => {
    const gate = createGate({ pipeline: createPipeline([asker]) });
    const checked = await gate.check(call);
    const r = await gate.recordAnswer(call, checked, {
      verdict: 'timeout',
      by: { principal: 'p' },
      how: 'elicitation',
    });
    expect(r).toBeUndefined();
  });
});
