import { describe, expect, it } from 'vitest';
import {
  AuditChain,
  ChainVerifier,
  createGate,
  createPipeline,
  type RecordSink,
  type ToolCall,
} from '../../src/index.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'read_file', inputSchema: { type: 'object' } },
  arguments: { path: 'README.md' },
  principal: { id: 'agent-1', tier: 'standard' },
  requestId: 1,
};

/** A sink that records each write (its record types and whether it was synced) and can be held. */
function recordingSink(): RecordSink & {
  writes: { types: string[]; sync: boolean }[];
  lines: string[];
  fail: boolean;
} {
  const sink = {
    writes: [] as { types: string[]; sync: boolean }[],
    lines: [] as string[],
    fail: false,
    async write(text: string, sync: boolean) {
      if (sink.fail) throw new Error('disk full');
      const lines = text.split('\n').filter((l) => l !== '');
      sink.writes.push({ types: lines.map((l) => (JSON.parse(l) as { type: string }).type), sync });
      sink.lines.push(...lines);
    },
    async close() {},
  };
  return sink;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outcome records join the next commit', () => {
  it('answers an outcome at once and writes it with the next decision, in one synced write', async () => {
    const sink = recordingSink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'fsync', deferMs: 1000 }),
    });
    const first = await gate.check(call);
    const position = await gate.recordOutcome(call, first, { status: 'ok', ms: 1 });
    expect(position).toEqual({ seq: 2 });
    expect(sink.lines).toHaveLength(1);
    await gate.check(call);
    expect(sink.writes).toEqual([
      { types: ['decision'], sync: true },
      { types: ['outcome', 'decision'], sync: true },
    ]);
    const v = new ChainVerifier();
    for (const [i, l] of sink.lines.entries()) v.push(l, i + 1);
    expect(v.finish()).toMatchObject({ ok: true, records: 3 });
  });

  it('writes a deferred outcome within deferMs when no decision follows', async () => {
    const sink = recordingSink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'fsync', deferMs: 150 }),
    });
    const checked = await gate.check(call);
    const started = performance.now();
    await gate.recordOutcome(call, checked, { status: 'ok' });
    await new Promise((r) => setImmediate(r));
    expect(sink.lines).toHaveLength(1);
    while (sink.lines.length < 2 && performance.now() - started < 5000) await tick(10);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(sink.writes.at(-1)).toEqual({ types: ['outcome'], sync: true });
  });

  it('waits for the outcome to be durable when outcomes are durable', async () => {
    const sink = recordingSink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'fsync', deferMs: 1000 }),
      outcomes: 'durable',
    });
    const checked = await gate.check(call);
    const position = await gate.recordOutcome(call, checked, { status: 'ok' });
    expect(position?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sink.writes).toEqual([
      { types: ['decision'], sync: true },
      { types: ['outcome'], sync: true },
    ]);
  });

  it('refuses every later record, outcome or decision, once a deferred write failed', async () => {
    const sink = recordingSink();
    const audit = new AuditChain(sink, { durability: 'fsync', deferMs: 5 });
    const gate = createGate({ pipeline: createPipeline([]), audit });
    const checked = await gate.check(call);
    sink.fail = true;
    await gate.recordOutcome(call, checked, { status: 'ok' });
    await tick(40);
    expect(audit.failure?.code).toBe('audit_failed');
    await expect(gate.recordOutcome(call, checked, { status: 'ok' })).rejects.toMatchObject({
      code: 'audit_failed',
    });
    const next = await gate.check(call);
    expect(next.decision).toMatchObject({ outcome: 'deny', failure: true });
  });

  it('writes deferred outcomes on flush and close', async () => {
    const sink = recordingSink();
    const audit = new AuditChain(sink, { durability: 'write', deferMs: 60_000 });
    const gate = createGate({ pipeline: createPipeline([]), audit });
    const checked = await gate.check(call);
    await gate.recordOutcome(call, checked, { status: 'ok' });
    await audit.close();
    expect(sink.writes.map((w) => w.types)).toEqual([['decision'], ['outcome']]);
  });
});
