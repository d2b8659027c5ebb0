import {
  AuditChain,
  allow,
  createGate,
  createPipeline,
  defineLayer,
  type RecordSink,
} from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createMediator } from '../../src/mediation/mediator.js';
import { denial, TOOLS } from './harness.js';

// A decision that cannot be recorded is refused, and the client is told why: the audit
// failed — not the reason some layer gave for the allow that was never recorded.

function brokenGate() {
  const sink: RecordSink = {
    write: async () => {
      throw new Error('EIO: disk gone');
    },
    close: async () => {},
  };
  const pipeline = createPipeline([
    defineLayer('policy', async () =>
      allow([{ layer: 'policy', code: 'policy_default_allow', detail: 'no rule matched' }]),
    ),
  ]);
  return createGate({ pipeline, audit: new AuditChain(sink) });
}

describe('an audit write failure', () => {
  const peer = { transport: { kind: 'in-process' as const }, sessionId: 'a' };

  it('refuses a tools/call with audit_failed, not the allowing layer’s code', async () => {
    const m = createMediator({ gate: brokenGate() });
    await m.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await m.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const out = await m.fromClient(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'read_file', arguments: { path: 'a' } },
      },
      peer,
    );
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])).toMatchObject({ layer: 'audit', code: 'audit_failed' });
  });

  it('refuses a resources/read with audit_failed', async () => {
    const m = createMediator({ gate: brokenGate() });
    const out = await m.fromClient(
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'file:///a' } },
      peer,
    );
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])).toMatchObject({ layer: 'audit', code: 'audit_failed' });
  });
});
