import { createPipeline, defineLayer } from '@governed-mcp/core';
import { describe, expect, it, vi } from 'vitest';
import { createMediator } from '../../src/mediation/mediator.js';
import type { Routed } from '../../src/mediation/mediator-types.js';
import { JsonRpcError, MediationCode } from '../../src/mediation/wire.js';
import { denial, harness, TOOLS, toolCalls } from './harness.js';

describe('the mediator', () => {
  it('forwards protocol requests and their responses unchanged, without deciding them', async () => {
    const h = harness();
    const init = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    };
    expect((await h.client(init)).toServer).toEqual([init]);
    const answer = {
      jsonrpc: '2.0',
      id: 0,
      result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } },
    };
    expect((await h.server(answer)).toClient).toEqual([answer]);
    const note = { jsonrpc: '2.0', method: 'notifications/initialized' };
    expect((await h.client(note)).toServer).toEqual([note]);
    expect(h.decided).toHaveLength(0);
    expect(await h.records('decision')).toHaveLength(0);
  });

  it('forwards an allowed tools/call only after the gate decided and recorded it', async () => {
    const h = harness();
    await h.list();
    const out = await h.call(7, 'read_file', { path: 'a.txt' });
    expect(toolCalls(out.toServer)).toEqual([
      {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'read_file', arguments: { path: 'a.txt' } },
      },
    ]);
    expect(h.decided.map((c) => [c.tool.name, c.requestId, c.sessionId])).toEqual([['read_file', 7, 's1']]);
    expect(h.decided[0]?.tool.description).toBe('Reads a file from the workspace.');
    const decisions = await h.records('decision');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.data.decision.outcome).toBe('allow');
  });

  it('answers a denied tools/call with a tool error naming the layer and code, and sends nothing to the server', async () => {
    const h = harness();
    await h.list();
    const out = await h.call(8, 'delete_file', { path: 'a.txt' });
    expect(out.toServer).toEqual([]);
    expect(out.toClient).toHaveLength(1);
    const msg = out.toClient[0] as unknown as {
      id: number;
      result: { isError: boolean; content: { text: string }[] };
    };
    expect(msg.id).toBe(8);
    expect(msg.result.isError).toBe(true);
    expect(msg.result.content[0]?.text).toContain("layer 'policy'");
    expect(denial(msg)).toEqual({
      denied: true,
      layer: 'policy',
      code: 'destructive',
      reason: 'deleting files is not allowed',
    });
    expect((await h.records('decision'))[0]?.data.decision.outcome).toBe('deny');
  });

  it('leaves structuredContent out of a denial when the tool declares an output schema', async () => {
    const h = harness();
    await h.list([
      { ...TOOLS[1], outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
    ]);
    const out = await h.call(1, 'delete_file', {});
    const result = (out.toClient[0] as { result: Record<string, unknown> }).result;
    expect(result.isError).toBe(true);
    expect(result).not.toHaveProperty('structuredContent');
  });

  it('forwards the arguments a layer rewrote, not the ones the client sent', async () => {
    const pipeline = createPipeline([
      defineLayer('redactor', async (_ctx, next) => {
        const d = await next();
        return d.outcome === 'allow' ? { ...d, arguments: { path: 'safe.txt' } } : d;
      }),
    ]);
    const m = createMediator({ gate: pipeline });
    const peer = { transport: { kind: 'stdio' as const } };
    await m.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await m.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const out = await m.fromClient(
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'read_file', arguments: { path: '/etc/passwd' } },
      },
      peer,
    );
    expect((out.toServer[0] as unknown as { params: { arguments: unknown } }).params.arguments).toEqual({
      path: 'safe.txt',
    });
  });

  it('fails closed when a layer throws: the call is denied with the failure code', async () => {
    const pipeline = createPipeline([
      defineLayer('broken', async () => {
        throw new Error('boom');
      }),
    ]);
    const m = createMediator({ gate: pipeline });
    const peer = { transport: { kind: 'stdio' as const } };
    await m.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await m.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const out = await m.fromClient(
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      peer,
    );
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])).toMatchObject({ layer: 'broken', code: 'layer_threw' });
  });

  it('lists tools itself when a call names a tool it has not seen, and decides the call only then', async () => {
    const h = harness();
    const first = await h.call(1, 'read_file', { path: 'x' });
    expect(toolCalls(first.toServer)).toEqual([]);
    expect(first.toServer).toHaveLength(1);
    const discovery = first.toServer[0] as { id: string; method: string };
    expect(discovery.method).toBe('tools/list');
    expect(h.decided).toHaveLength(0);
    // A second call while the listing is under way waits for the same listing.
    expect((await h.call(2, 'delete_file', {})).toServer).toEqual([]);
    const resumed = await h.server({ jsonrpc: '2.0', id: discovery.id, result: { tools: TOOLS } });
    expect(toolCalls(resumed.toServer).map((m) => (m as { id: number }).id)).toEqual([1]);
    expect(resumed.toClient.map((m) => [(m as { id: number }).id, denial(m)?.code])).toEqual([
      [2, 'destructive'],
    ]);
    expect(h.decided.map((c) => c.tool.name).sort()).toEqual(['delete_file', 'read_file']);
  });

  it('follows pagination in its own listing', async () => {
    const h = harness();
    const first = await h.call(1, 'delete_file', {});
    const p1 = first.toServer[0] as { id: string };
    const page2 = await h.server({
      jsonrpc: '2.0',
      id: p1.id,
      result: { tools: [TOOLS[0]], nextCursor: 'c2' },
    });
    const p2 = page2.toServer[0] as unknown as { id: string; params: { cursor: string } };
    expect(p2.params.cursor).toBe('c2');
    expect(page2.toClient).toEqual([]);
    const done = await h.server({ jsonrpc: '2.0', id: p2.id, result: { tools: [TOOLS[1]] } });
    expect(denial(done.toClient[0])?.code).toBe('destructive');
  });

  it('refuses a call to a tool missing from a complete listing, and records the refusal', async () => {
    const h = harness();
    await h.list();
    const out = await h.call(4, 'rm_rf', {});
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])).toMatchObject({ layer: 'mediation', code: MediationCode.UnlistedTool });
    const [rec] = await h.records('decision');
    expect(rec?.data.decision.reasons[0]?.code).toBe(MediationCode.UnlistedTool);
  });

  it('fails parked calls closed when its own listing fails or times out', async () => {
    const h = harness({ discoveryTimeoutMs: 30 });
    const first = await h.call(1, 'read_file', {});
    const failed = await h.server({
      jsonrpc: '2.0',
      id: (first.toServer[0] as { id: string }).id,
      error: { code: -32603, message: 'nope' },
    });
    expect(denial(failed.toClient[0])?.code).toBe(MediationCode.DiscoveryFailed);

    const late: Routed[] = [];
    const peer = { ...h.peer, sessionId: 's2', deliver: (r: Routed) => late.push(r) };
    await h.call(2, 'read_file', {}, peer);
    expect(late).toHaveLength(0);
    await vi.waitFor(() => expect(late).toHaveLength(1), { timeout: 5000 });
    expect(late[0]?.toServer).toEqual([]);
    expect(denial(late[0]?.toClient[0])?.code).toBe(MediationCode.DiscoveryFailed);
  });

  it('mediates resources/read and prompts/get by default and passes them when configured off', async () => {
    const h = harness();
    const read = await h.client({
      jsonrpc: '2.0',
      id: 1,
      method: 'resources/read',
      params: { uri: 'file:///a' },
    });
    expect(read.toServer).toHaveLength(1);
    expect(h.decided.map((c) => [c.method, c.tool.name, c.arguments])).toEqual([
      ['resources/read', 'resources/read', { uri: 'file:///a' }],
    ]);
    await h.client({ jsonrpc: '2.0', id: 2, method: 'prompts/get', params: { name: 'p' } });
    expect(h.decided).toHaveLength(2);
    const off = harness({ mediate: { resources: false, prompts: false } });
    expect(
      (await off.client({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'x' } })).toServer,
    ).toHaveLength(1);
    expect(off.decided).toHaveLength(0);
  });

  it('answers a denied non-tool request with a JSON-RPC error carrying the refusal', async () => {
    const pipeline = createPipeline([
      defineLayer('policy', async (ctx, next) =>
        ctx.call.method === 'prompts/get'
          ? { outcome: 'deny', reasons: [{ layer: 'policy', code: 'no_prompts' }] }
          : next(),
      ),
    ]);
    const m = createMediator({ gate: pipeline });
    const out = await m.fromClient(
      { jsonrpc: '2.0', id: 5, method: 'prompts/get', params: { name: 'x' } },
      { transport: { kind: 'stdio' } },
    );
    expect(out.toServer).toEqual([]);
    const err = out.toClient[0] as { id: number; error: { code: number } };
    expect(err.id).toBe(5);
    expect(err.error.code).toBe(JsonRpcError.Denied);
    expect(denial(err)).toMatchObject({ layer: 'policy', code: 'no_prompts' });
  });

  it('mediates sampling requests from the server; a denied one never reaches the client', async () => {
    const pipeline = createPipeline([
      defineLayer('policy', async (ctx, next) =>
        ctx.call.method === 'sampling/createMessage'
          ? { outcome: 'deny', reasons: [{ layer: 'policy', code: 'no_sampling' }] }
          : next(),
      ),
    ]);
    const m = createMediator({ gate: pipeline });
    const peer = { transport: { kind: 'stdio' as const } };
    const out = await m.fromServer(
      { jsonrpc: '2.0', id: 9, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } },
      peer,
    );
    expect(out.toClient).toEqual([]);
    expect(denial(out.toServer[0])?.code).toBe('no_sampling');
    const roots = await m.fromServer({ jsonrpc: '2.0', id: 10, method: 'roots/list' }, peer);
    expect(roots.toClient).toHaveLength(1);
    expect(
      (await m.fromClient({ jsonrpc: '2.0', id: 10, result: { roots: [] } }, peer)).toServer,
    ).toHaveLength(1);
  });

  it('drops responses to requests that are not in flight, in both directions', async () => {
    const h = harness();
    expect(await h.server({ jsonrpc: '2.0', id: 99, result: { content: [] } })).toEqual({
      toServer: [],
      toClient: [],
    });
    expect(await h.client({ jsonrpc: '2.0', id: 99, result: {} })).toEqual({ toServer: [], toClient: [] });
    expect(h.logs.map((l) => l.code)).toEqual([
      MediationCode.UnsolicitedResponse,
      MediationCode.UnsolicitedResponse,
    ]);
  });

  it('fails the requests in flight closed when the upstream fails, and records their outcome', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', {});
    await h.client({ jsonrpc: '2.0', id: 2, method: 'ping' });
    const out = await h.mediator.failPending(h.peer, 'upstream crashed');
    expect(out.toClient.map((m) => [(m as { id: number }).id, denial(m)?.code])).toEqual([
      [1, MediationCode.UpstreamFailed],
      [2, MediationCode.UpstreamFailed],
    ]);
    expect((await h.records('outcome')).map((r) => r.data.status)).toEqual(['error']);
    // The late answer of the crashed upstream is not delivered twice.
    expect((await h.server({ jsonrpc: '2.0', id: 1, result: { content: [] } })).toClient).toEqual([]);
  });

  it('on close, fails calls in flight through deliver, refuses new requests and flushes the audit', async () => {
    const h = harness();
    const late: Routed[] = [];
    const peer = { ...h.peer, deliver: (r: Routed) => late.push(r) };
    await h.list(undefined, 'l', peer);
    await h.call(1, 'read_file', {}, peer);
    await h.mediator.close();
    expect(denial(late[0]?.toClient[0])?.code).toBe(MediationCode.Closed);
    const after = await h.call(2, 'read_file', {}, peer);
    expect(after.toServer).toEqual([]);
    expect(denial(after.toClient[0])?.code).toBe(MediationCode.Closed);
    expect(await h.records('outcome')).toHaveLength(1);
  });

  it('keeps sessions apart: the same id may be in flight in two sessions', async () => {
    const h = harness();
    const a = { ...h.peer, sessionId: 'a' };
    const b = { ...h.peer, sessionId: 'b' };
    await h.list(undefined, 'l', a);
    await h.list(undefined, 'l', b);
    expect(toolCalls((await h.call(1, 'read_file', {}, a)).toServer)).toHaveLength(1);
    expect(toolCalls((await h.call(1, 'read_file', {}, b)).toServer)).toHaveLength(1);
  });
  it('drops a call the client cancels while it is being decided; the server hears of neither', async () => {
    let release!: () => void;
    const open = new Promise<void>((r) => {
      release = r;
    });
    const h = harness();
    await h.list();
    const slow = createMediator({
      gate: createPipeline([
        defineLayer('slow', async (_ctx, next) => {
          await open;
          return next();
        }),
      ]),
    });
    const peer = h.peer;
    await slow.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await slow.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const pending = slow.fromClient(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      peer,
    );
    const cancel = await slow.fromClient(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'user' } },
      peer,
    );
    release();
    expect(cancel).toEqual({ toServer: [], toClient: [] });
    expect(await pending).toEqual({ toServer: [], toClient: [] });
    // A cancellation of a forwarded request goes through.
    await slow.fromClient(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      peer,
    );
    const late = await slow.fromClient(
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } },
      peer,
    );
    expect(late.toServer).toHaveLength(1);
  });

  it('answers a call exactly once when the upstream fails while the call is being decided', async () => {
    let release!: () => void;
    const open = new Promise<void>((r) => {
      release = r;
    });
    const m = createMediator({
      gate: createPipeline([
        defineLayer('slow', async (_ctx, next) => {
          await open;
          return next();
        }),
      ]),
    });
    const peer = { transport: { kind: 'stdio' as const } };
    await m.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await m.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const deciding = m.fromClient(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      peer,
    );
    const failed = await m.failPending(peer, 'upstream gone');
    release();
    expect(failed.toClient).toHaveLength(1);
    expect(await deciding).toEqual({ toServer: [], toClient: [] });
  });

  it('refuses requests beyond the in-flight limit of a session', async () => {
    const h = harness({ limits: { maxInFlight: 2 } });
    await h.client({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await h.client({ jsonrpc: '2.0', id: 2, method: 'ping' });
    const third = await h.client({ jsonrpc: '2.0', id: 3, method: 'ping' });
    expect(third.toServer).toEqual([]);
    expect(denial(third.toClient[0])?.code).toBe(MediationCode.TooManyInFlight);
    await h.server({ jsonrpc: '2.0', id: 1, result: {} });
    expect((await h.client({ jsonrpc: '2.0', id: 4, method: 'ping' })).toServer).toHaveLength(1);
  });

  it('redacts secrets in server notifications, and drops them when results are blocked', async () => {
    const log = {
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'token ghp_' + 'k3Jd9Qp2Lm8Zx7Rv5Tn1Wb4Yc6Hs0FaG2eUx' },
    };
    const out = await harness().server(log);
    expect(JSON.stringify(out.toClient)).toContain('[REDACTED:github]');
    expect(await harness({ redaction: 'block' }).server(log)).toEqual({ toServer: [], toClient: [] });
  });

  it('answers (and forwards nothing) when reading the frame throws', async () => {
    const h = harness();
    await h.list();
    const params = {
      name: 'read_file',
      get arguments(): unknown {
        throw new Error('gotcha');
      },
    };
    const out = await h.client({ jsonrpc: '2.0', id: 1, method: 'tools/call', params });
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])?.code).toBe(MediationCode.InvalidMessage);
  });
  it('records the outcome of a mediated sampling request when the client answers it', async () => {
    const h = harness();
    const asked = await h.server({
      jsonrpc: '2.0',
      id: 5,
      method: 'sampling/createMessage',
      params: { messages: [], maxTokens: 1 },
    });
    expect(asked.toClient).toHaveLength(1);
    const answer = {
      jsonrpc: '2.0',
      id: 5,
      result: { model: 'm', role: 'assistant', content: { type: 'text', text: 'hi' } },
    };
    expect((await h.client(answer)).toServer).toEqual([answer]);
    expect((await h.records('decision')).length).toBe(1);
    expect((await h.records('outcome')).map((r) => r.data.status)).toEqual(['ok']);
  });
  it('fails a call closed when the server answers it with a frame too large to inspect', async () => {
    const h = harness({ limits: { maxFrameBytes: 10_000 } });
    await h.list();
    await h.call(1, 'read_file', {});
    const huge = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'x'.repeat(20_000) }] } };
    const out = await h.server(huge);
    expect(out.toServer).toEqual([]);
    expect(denial(out.toClient[0])?.code).toBe(MediationCode.FrameTooLarge);
    expect((await h.records('outcome')).map((r) => r.data.status)).toEqual(['blocked']);
    // The id is free again, and a late duplicate answer goes nowhere.
    expect((await h.server({ jsonrpc: '2.0', id: 1, result: { content: [] } })).toClient).toEqual([]);
  });
  it('names the layer that denied, not an annotation an inner layer added', async () => {
    const pipeline = createPipeline([
      defineLayer('budget', async (_ctx, next) => {
        const d = await next();
        return {
          outcome: 'deny',
          reasons: [...d.reasons, { layer: 'budget', code: 'over_budget', detail: 'monthly budget spent' }],
        };
      }),
      defineLayer('note', async (_ctx, next) => {
        const d = await next();
        return { ...d, reasons: [{ layer: 'note', code: 'looked_fine' }, ...d.reasons] };
      }),
    ]);
    const m = createMediator({ gate: pipeline });
    const peer = { transport: { kind: 'stdio' as const } };
    await m.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list' }, peer);
    await m.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } }, peer);
    const out = await m.fromClient(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      peer,
    );
    expect(denial(out.toClient[0])).toMatchObject({
      layer: 'budget',
      code: 'over_budget',
      reason: 'monthly budget spent',
    });
  });
});
