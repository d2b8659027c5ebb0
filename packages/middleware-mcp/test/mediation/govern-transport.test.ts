import { createPipeline, defineLayer, type ToolCall } from '@governed-mcp/core';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { governTransport } from '../../src/mediation/govern-transport.js';
import { createMediator } from '../../src/mediation/mediator.js';
import { TOOLS } from './harness.js';

/** A bare transport: what the client side delivers, and what reaches the wire. */
function fakeTransport() {
  const sent: JSONRPCMessage[] = [];
  const inner: Transport & { deliver(m: unknown, extra?: MessageExtraInfo): void } = {
    sessionId: undefined,
    start: async () => {},
    close: async () => {
      inner.onclose?.();
    },
    send: async (m) => {
      sent.push(m);
    },
    deliver(m, extra) {
      inner.onmessage?.(m as JSONRPCMessage, extra);
    },
  };
  return { inner, sent };
}

function setup(
  principalOf?: (extra: MessageExtraInfo | undefined) => { id: string; tier: string } | undefined,
) {
  const decided: ToolCall[] = [];
  const mediator = createMediator({
    gate: createPipeline([
      defineLayer('record', async (ctx, next) => {
        decided.push(ctx.call);
        return next();
      }),
    ]),
  });
  const { inner, sent } = fakeTransport();
  const outer = governTransport(inner, mediator, {}, principalOf === undefined ? {} : { principalOf });
  const atServer: JSONRPCMessage[] = [];
  outer.onmessage = (m) => {
    atServer.push(m);
  };
  return { inner, outer, sent, atServer, decided };
}

describe('governTransport', () => {
  it('takes each message’s principal from what the transport knows of its sender', async () => {
    const t = setup((extra) =>
      extra?.authInfo?.token === 'admin-token'
        ? { id: 'admin', tier: 'privileged' }
        : { id: 'anon', tier: 'untrusted' },
    );
    t.inner.deliver({ jsonrpc: '2.0', id: 'l', method: 'tools/list' });
    await vi.waitFor(() => expect(t.atServer).toHaveLength(1));
    await t.outer.send({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } } as JSONRPCMessage);
    const auth = { token: 'admin-token', clientId: 'c', scopes: [] };
    t.inner.deliver(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: {} } },
      { authInfo: auth },
    );
    t.inner.deliver({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'read_file', arguments: {} },
    });
    await vi.waitFor(() => expect(t.decided).toHaveLength(2));
    expect(t.decided.map((c) => [c.requestId, c.principal.id])).toEqual([
      [1, 'admin'],
      [2, 'anon'],
    ]);
  });

  it('gives a message whose principal cannot be resolved no known tier, never a default', async () => {
    const t = setup(() => {
      throw new Error('token store down');
    });
    t.inner.deliver({ jsonrpc: '2.0', id: 'l', method: 'tools/list' });
    await vi.waitFor(() => expect(t.atServer).toHaveLength(1));
    await t.outer.send({ jsonrpc: '2.0', id: 'l', result: { tools: TOOLS } } as JSONRPCMessage);
    t.inner.deliver({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'read_file', arguments: {} },
    });
    await vi.waitFor(() => expect(t.decided).toHaveLength(1));
    expect(t.decided[0]?.principal).toEqual({ id: '(unresolved)', tier: '(none)' });
  });

  it('keeps one session when the transport learns its session id after the first message', async () => {
    const t = setup();
    t.inner.deliver({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {} });
    await vi.waitFor(() => expect(t.atServer).toHaveLength(1));
    t.inner.sessionId = 'assigned-later';
    await t.outer.send({
      jsonrpc: '2.0',
      id: 0,
      result: { protocolVersion: '2025-06-18' },
    } as JSONRPCMessage);
    expect(t.sent).toEqual([{ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18' } }]);
    expect(t.outer.sessionId).toBe('assigned-later');
  });

  it('delivers notifications in order behind the protocol messages that came first', async () => {
    const t = setup();
    t.inner.deliver({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {} });
    t.inner.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await vi.waitFor(() => expect(t.atServer).toHaveLength(2));
    expect(t.atServer.map((m) => (m as { method: string }).method)).toEqual([
      'initialize',
      'notifications/initialized',
    ]);
  });
});
