import {
  AuditChain,
  ask,
  createGate,
  createMemorySink,
  createPipeline,
  defineLayer,
  type RecordSink,
} from '@governed-mcp/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createMediator } from '../../src/mediation/mediator.js';
import type { PeerInfo, Routed } from '../../src/mediation/mediator-types.js';
import { denial, toolCalls } from './harness.js';

const TOOLS = [
  { name: 'send_money', description: 'Sends money.', inputSchema: { type: 'object' } },
  { name: 'read_balance', description: 'Shows the balance.', inputSchema: { type: 'object' } },
];

const asker = defineLayer('asker', async (ctx, next) =>
  ctx.call.tool.name === 'send_money' || ctx.call.method === 'sampling/createMessage'
    ? ask('asker', 'needs_person', 'Let this through?')
    : next(),
);

/** A mediator whose client declares elicitation, with a tool listing in place and an audit sink that can fail. */
async function setup(options: { askTimeoutMs?: number } = {}) {
  let failing = false;
  const inner = createMemorySink();
  const sink: RecordSink = {
    write: (text, sync) => (failing ? Promise.reject(new Error('disk full')) : inner.write(text, sync)),
    close: () => inner.close(),
  };
  const audit = new AuditChain(sink, { durability: 'write' });
  const mediator = createMediator({
    gate: createGate({ pipeline: createPipeline([asker]), audit }),
    ...options,
  });
  const delivered: Routed[] = [];
  const peer: PeerInfo = {
    transport: { kind: 'in-process' },
    sessionId: 's1',
    deliver: (r) => delivered.push(r),
  };
  const client = (frame: unknown) => mediator.fromClient(frame, peer);
  const server = (frame: unknown) => mediator.fromServer(frame, peer);
  const init = {
    protocolVersion: '2025-06-18',
    capabilities: { elicitation: {} },
    clientInfo: { name: 'desk', version: '1' },
  };
  await client({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: init });
  await server({ jsonrpc: '2.0', id: 'init', result: { protocolVersion: '2025-06-18', capabilities: {} } });
  await client({ jsonrpc: '2.0', id: 'list', method: 'tools/list', params: {} });
  await server({ jsonrpc: '2.0', id: 'list', result: { tools: TOOLS } });
  /** Sends a `send_money` call; resolves to the id of the question the client was sent. */
  const askAbout = async (id: number) => {
    const out = await client({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'send_money' } });
    expect(out.toServer).toEqual([]);
    const q = out.toClient[0] as unknown as {
      id: string;
      method: string;
      params: { requestedSchema: unknown };
    };
    expect(q.method).toBe('elicitation/create');
    return q.id;
  };
  const answer = (id: string, result: unknown) => client({ jsonrpc: '2.0', id, result });
  const records = async () => {
    await audit.flush().catch(() => {});
    return inner.lines.map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
  };
  return {
    mediator,
    client,
    server,
    askAbout,
    answer,
    records,
    delivered,
    peer,
    fail: () => {
      failing = true;
    },
  };
}

const APPROVE = { action: 'accept', content: { approve: true } };

describe('the life of a question put to the person', () => {
  it('asks with a schema of one required boolean and an id of its own', async () => {
    const t = await setup();
    const out = await t.client({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'send_money' },
    });
    const q = out.toClient[0] as unknown as { id: unknown; params: { requestedSchema: unknown } };
    expect(String(q.id)).toMatch(/^governed-mcp\/ask\/[0-9a-f-]{36}$/);
    expect(q.params.requestedSchema).toMatchObject({
      type: 'object',
      properties: { approve: { type: 'boolean' } },
      required: ['approve'],
    });
    await t.mediator.close();
  });

  it('ignores an answer to an id it never asked, and still forwards on the real answer', async () => {
    const t = await setup();
    const q = await t.askAbout(1);
    expect(await t.answer('governed-mcp/ask/forged', APPROVE)).toEqual({ toServer: [], toClient: [] });
    const out = await t.answer(q, APPROVE);
    expect(toolCalls(out.toServer)).toHaveLength(1);
    // A second answer to the same question finds nothing to approve.
    expect(await t.answer(q, APPROVE)).toEqual({ toServer: [], toClient: [] });
    await t.mediator.close();
  });

  it('drops a call the client cancels while the person is asked, and ignores the answer that follows', async () => {
    const t = await setup();
    const q = await t.askAbout(2);
    const cancelled = await t.client({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 2 },
    });
    expect(cancelled).toEqual({ toServer: [], toClient: [] });
    expect(await t.answer(q, APPROVE)).toEqual({ toServer: [], toClient: [] });
    const rows = await t.records();
    expect(rows.filter((r) => r.type === 'answer').map((r) => r.data.verdict)).toEqual(['cancelled']);
    await t.mediator.close();
  });

  it('answers a held call exactly once when the session fails, and never times it out afterwards', async () => {
    const t = await setup({ askTimeoutMs: 40 });
    const q = await t.askAbout(3);
    const failed = await t.mediator.failPending(t.peer, 'the server went away');
    expect(failed.toClient.map((m) => denial(m)?.code)).toEqual(['upstream_failed']);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.delivered).toEqual([]);
    expect(await t.answer(q, APPROVE)).toEqual({ toServer: [], toClient: [] });
    await t.mediator.close();
  });

  it('delivers the ask_timeout refusal and withdraws the question from the client', async () => {
    const t = await setup({ askTimeoutMs: 30 });
    const q = await t.askAbout(4);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.delivered).toHaveLength(1);
    const [refusal, notice] = t.delivered[0]!.toClient as [JSONRPCMessage, JSONRPCMessage];
    expect(denial(refusal)?.code).toBe('ask_timeout');
    expect(notice).toMatchObject({ method: 'notifications/cancelled', params: { requestId: q } });
    await t.mediator.close();
  });

  it('refuses an approved call with audit_failed when the answer cannot be recorded (fail-closed)', async () => {
    const t = await setup();
    const q = await t.askAbout(5);
    t.fail();
    const out = await t.answer(q, APPROVE);
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])?.code).toBe('audit_failed');
    await t.mediator.close().catch(() => {});
  });

  it('refuses a server request the gate asks about with ask_unavailable: the person is not the server', async () => {
    const t = await setup();
    const out = await t.server({
      jsonrpc: '2.0',
      id: 'sample-1',
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 10 },
    });
    expect(out.toClient).toEqual([]);
    expect(denial(out.toServer[0])?.code).toBe('ask_unavailable');
    await t.mediator.close();
  });
});
