import { describe, expect, it } from 'vitest';
import {
  AuditChain,
  allow,
  blake3Hex,
  ChainVerifier,
  canonicalJson,
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
  tool: { name: 'send_mail', inputSchema: { type: 'object' } },
  arguments: { to: 'ops@example.com', body: 'token=sk-live-123' },
  principal: { id: 'agent-7', tier: 'standard' },
  requestId: 42,
};

const redactor = defineLayer('redactor', async () => ({
  outcome: 'allow',
  reasons: [{ layer: 'redactor', code: 'redacted' }],
  arguments: { ...call.arguments, body: 'token=[REDACTED]' },
}));

describe('gate', () => {
  it('records every decision with the argument digest, reasons and per-layer trace', async () => {
    const sink = createMemorySink();
    const audit = new AuditChain(sink, { durability: 'write' });
    const gate = createGate({
      pipeline: createPipeline([defineLayer('judge', async () => deny('judge', 'no_mail', 'mail is off'))]),
      audit,
    });
    const checked = await gate.check(call);
    expect(checked.decision.outcome).toBe('deny');
    expect(checked.audit?.seq).toBe(1);
    const record = JSON.parse(sink.lines[0]!);
    expect(record).toMatchObject({
      seq: 1,
      type: 'decision',
      data: {
        call: { tool: 'send_mail', requestId: 42, principal: { id: 'agent-7', tier: 'standard' } },
        decision: { outcome: 'deny', reasons: [{ layer: 'judge', code: 'no_mail', detail: 'mail is off' }] },
        layers: [{ layer: 'judge', verdict: 'deny' }],
      },
    });
    expect(record.data.call.argsDigest).toBe(`blake3:${blake3Hex(canonicalJson(call.arguments))}`);
    expect(record.data.call.args).toBeUndefined();
  });

  it('stores arguments only when configured, as rewritten by a layer and by the redact hook', async () => {
    const sink = createMemorySink();
    const gate = createGate({
      pipeline: createPipeline([redactor]),
      audit: new AuditChain(sink, { durability: 'write' }),
      arguments: 'full',
      redact: (args) => ({ ...args, to: '[address]' }),
    });
    await gate.check(call);
    const data = JSON.parse(sink.lines[0]!).data;
    expect(data.call.args).toEqual({ to: '[address]', body: 'token=[REDACTED]' });
    expect(data.call.rewrittenArgsDigest).toMatch(/^blake3:/);
    expect(sink.lines[0]).not.toContain('sk-live-123');
  });

  it('derives a gate with another pipeline that keeps the audit chain, arguments and redact settings', async () => {
    const sink = createMemorySink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'write' }),
      arguments: 'full',
      redact: (args) => ({ ...args, body: '[masked]' }),
    });
    const derived = gate.withPipeline(
      createPipeline([defineLayer('judge', async () => deny('judge', 'no_mail', 'mail is off'))]),
    );
    expect(derived.audit).toBe(gate.audit);
    const checked = await derived.check(call);
    expect(checked.decision.outcome).toBe('deny');
    expect(sink.lines).toHaveLength(1);
    const data = JSON.parse(sink.lines[0]!).data;
    expect(data.call.args).toEqual({ to: 'ops@example.com', body: '[masked]' });
    expect(sink.lines[0]).not.toContain('sk-live-123');
    expect((await gate.check(call)).decision.outcome).toBe('allow');
  });

  it('turns an allow into a deny when the decision cannot be recorded', async () => {
    const broken: RecordSink = {
      write: async () => {
        throw new Error('EIO');
      },
      close: async () => {},
    };
    const gate = createGate({
      pipeline: createPipeline([defineLayer('ok', async () => allow())]),
      audit: new AuditChain(broken),
    });
    const checked = await gate.check(call);
    expect(checked.decision).toMatchObject({ outcome: 'deny', failure: true });
    expect(checked.decision.reasons.at(-1)).toMatchObject({ layer: 'audit', code: 'audit_failed' });
  });

  it('links outcome records to their decision and keeps a valid chain', async () => {
    const sink = createMemorySink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'fsync' }),
    });
    const checked = await gate.check(call);
    await gate.recordOutcome(call, checked, { status: 'ok', result: { content: [] }, ms: 3 });
    await gate.audit?.flush();
    expect(JSON.parse(sink.lines[1]!)).toMatchObject({
      type: 'outcome',
      data: { ref: 1, status: 'ok', ms: 3 },
    });
    const v = new ChainVerifier();
    for (const [i, l] of sink.lines.entries()) v.push(l, i + 1);
    expect(v.finish()).toMatchObject({ ok: true, records: 2 });
  });

  it('records arguments that are not JSON without losing the record', async () => {
    const sink = createMemorySink();
    const gate = createGate({
      pipeline: createPipeline([]),
      audit: new AuditChain(sink, { durability: 'write' }),
      arguments: 'full',
    });
    const weird = { ...call, arguments: { n: 10n, f: () => 1 } as Record<string, unknown> };
    await gate.check(weird);
    const data = JSON.parse(sink.lines[0]!).data;
    expect(data.call.argsDigest).toMatch(/^unserializable:/);
    expect(data.call.args.n).toEqual({ $unserializable: 'bigint' });
  });
});
