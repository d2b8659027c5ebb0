import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tokenDigest } from '../../src/config.js';
import { type Runner, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, memoryLogger, recordingMediator } from './harness.js';

const limits = {
  maxFrameBytes: 64 * 1024,
  upstreamTimeoutMs: 5000,
  maxSessions: 2,
  maxPending: 8,
  maxQueuedBytes: 1024 * 1024,
};
const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef01';

const runners: Runner[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(runners.splice(0).map((r) => r.close('test_end')));
});

async function start(extra: { maxSessionsPerPrincipal?: number } = {}) {
  const mediator = recordingMediator();
  const upstream = fixtureUpstream();
  const { log, lines } = memoryLogger();
  const runner = await startRunner({
    listen: { kind: 'http', host: '127.0.0.1', port: 0 },
    upstream: upstream.spec,
    mediator,
    principal: { id: 'nobody', tier: 'untrusted' },
    tokens: [
      { sha256: tokenDigest(ALICE), principal: { id: 'alice', tier: 'trusted' } },
      { sha256: tokenDigest(BOB), principal: { id: 'bob', tier: 'standard' } },
    ],
    limits: { ...limits, ...extra },
    log,
  });
  runners.push(runner);
  return { runner, url: runner.url as string, mediator, upstream, lines };
}

async function connect(
  url: string,
  token: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'http-runner-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const initBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('the runner over Streamable HTTP', () => {
  it('serves an authenticated client and gives the mediator the principal bound to its token', async () => {
    const { url, mediator } = await start();
    const { client } = await connect(url, ALICE);
    const res = await client.callTool({ name: 'echo', arguments: { text: 'over http' } });
    expect(res.content).toEqual([{ type: 'text', text: 'over http' }]);
    const peer = mediator.fromClientFrames.at(-1)?.peer;
    expect(peer).toMatchObject({ principal: { id: 'alice', tier: 'trusted' }, transport: { kind: 'http' } });
    expect(peer?.transport.remoteAddress).toMatch(/127\.0\.0\.1/);
  });

  it('answers 401 to a missing or unknown token and sends nothing upstream', async () => {
    const { url, mediator, upstream } = await start();
    for (const auth of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      'Basic YWxpY2U6eA==',
      `Bearer ${ALICE}x`,
    ]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: auth === undefined ? headers : { ...headers, authorization: auth },
        body: initBody,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(mediator.fromClientFrames).toHaveLength(0);
    expect(upstream.received()).toHaveLength(0);
  });

  it('refuses to let another token use a session it did not open', async () => {
    const { url, mediator } = await start();
    const { transport } = await connect(url, ALICE);
    const sessionId = transport.sessionId as string;
    const before = mediator.fromClientFrames.length;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        ...headers,
        authorization: `Bearer ${BOB}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'x' } },
      }),
    });
    expect(res.status).toBe(404);
    expect(mediator.fromClientFrames.length).toBe(before);
  });

  it('sends the upstream only its own configured credentials, never the downstream client headers', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const server = createServer((req, res) => {
      seen.push({ ...req.headers });
      const mcp = new McpServer({ name: 'header-recorder', version: '1.0.0' });
      mcp.registerTool('ping', { inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: 'pong' }],
      }));
      const t = new StreamableHTTPServerTransport({});
      void mcp.connect(t).then(() => t.handleRequest(req, res));
      res.on('close', () => void mcp.close());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const { log } = memoryLogger();
      const runner = await startRunner({
        listen: { kind: 'http', host: '127.0.0.1', port: 0 },
        upstream: {
          kind: 'http',
          url: `http://127.0.0.1:${port}/mcp`,
          headers: { 'x-upstream-key': 'runner-secret' },
        },
        mediator: recordingMediator(),
        principal: { id: 'nobody', tier: 'untrusted' },
        tokens: [{ sha256: tokenDigest(ALICE), principal: { id: 'alice', tier: 'trusted' } }],
        limits,
        log,
      });
      runners.push(runner);
      const transport = new StreamableHTTPClientTransport(new URL(runner.url as string), {
        requestInit: {
          headers: { authorization: `Bearer ${ALICE}`, 'x-client-secret': 'do-not-forward', cookie: 'c=1' },
        },
      });
      const client = new Client({ name: 'header-test', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      const res = await client.callTool({ name: 'ping', arguments: {} });
      expect(res.content).toEqual([{ type: 'text', text: 'pong' }]);
      expect(seen.length).toBeGreaterThan(0);
      for (const h of seen) {
        expect(h['x-upstream-key']).toBe('runner-secret');
        expect(h.authorization).toBeUndefined();
        expect(h['x-client-secret']).toBeUndefined();
        expect(h.cookie).toBeUndefined();
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('when sessions are full, closes the least recently used idle one, and refuses when all are busy', async () => {
    const { url, upstream } = await start();
    const a = await connect(url, ALICE);
    const b = await connect(url, BOB);
    await b.client.callTool({ name: 'echo', arguments: { text: 'b is more recent' } });
    // A third session evicts a's (idle, least recently used).
    const c = await connect(url, ALICE);
    await expect(a.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow();
    expect((await b.client.callTool({ name: 'echo', arguments: { text: 'b' } })).content).toEqual([
      { type: 'text', text: 'b' },
    ]);
    // Both remaining sessions busy: no room.
    const busy = [b, c].map((s) => s.client.callTool({ name: 'hang', arguments: {} }).catch(() => undefined));
    const hangs = (all: { params?: Record<string, unknown> }[]) =>
      all.filter((r) => r.params?.name === 'hang');
    await upstream.untilReceived((all) => hangs(all).length === 2);
    const refused = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${ALICE}` },
      body: initBody,
    });
    expect(refused.status).toBe(503);
    void busy;
  });

  it('lets one principal evict only its own sessions when it reaches its own cap', async () => {
    const { url } = await start({ maxSessionsPerPrincipal: 1 });
    const bob = await connect(url, BOB);
    const first = await connect(url, ALICE);
    await first.client.callTool({ name: 'echo', arguments: { text: 'x' } });
    await connect(url, ALICE);
    await expect(first.client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow();
    expect((await bob.client.callTool({ name: 'echo', arguments: { text: 'bob' } })).content).toEqual([
      { type: 'text', text: 'bob' },
    ]);
  });

  it('rejects request bodies over the frame limit with 413', async () => {
    const { url, mediator } = await start();
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { pad: 'x'.repeat(100_000) },
    });
    const tooBig = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${ALICE}` },
      body: huge,
    });
    expect(tooBig.status).toBe(413);
    expect(mediator.fromClientFrames).toHaveLength(0);
  });

  it('gives every session its own upstream process', async () => {
    const { url, upstream } = await start();
    const a = await connect(url, ALICE);
    const b = await connect(url, BOB);
    await a.client.callTool({ name: 'echo', arguments: { text: 'a' } });
    await b.client.callTool({ name: 'echo', arguments: { text: 'b' } });
    expect(new Set(upstream.received().map((r) => r.pid)).size).toBe(2);
  });

  it('on close fails in-flight calls closed on their open streams and refuses new connections', async () => {
    const { url, runner, upstream } = await start();
    const { client } = await connect(url, ALICE);
    const hung = client.callTool({ name: 'hang', arguments: {} }).then(
      (r) => ({ ok: true as const, r }),
      (e: Error) => ({ ok: false as const, message: e.message }),
    );
    await upstream.untilReceived((all) => all.some((r) => r.params?.name === 'hang'));
    await runner.close('sigterm');
    const outcome = await hung;
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.message).toMatch(/refused|closed|shutting/i);
    await expect(fetch(url, { method: 'POST', headers, body: initBody })).rejects.toThrow();
  });

  it('caps the size of an upstream HTTP message: that call fails closed, the next one works', async () => {
    const server = createServer((req, res) => {
      const mcp = new McpServer({ name: 'big-answers', version: '1.0.0' });
      mcp.registerTool('big', { inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
        content: [{ type: 'text', text: 'x'.repeat(bytes) }],
      }));
      const t = new StreamableHTTPServerTransport({});
      void mcp.connect(t).then(() => t.handleRequest(req, res));
      res.on('close', () => void mcp.close());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const { log } = memoryLogger();
      const runner = await startRunner({
        listen: { kind: 'http', host: '127.0.0.1', port: 0 },
        upstream: {
          kind: 'http',
          url: `http://127.0.0.1:${port}/mcp`,
          headers: {},
          maxFrameBytes: 32 * 1024,
        },
        mediator: recordingMediator(),
        principal: { id: 'nobody', tier: 'untrusted' },
        tokens: [],
        limits: { ...limits, upstreamTimeoutMs: 1500 },
        log,
      });
      runners.push(runner);
      const client = new Client({ name: 'big-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(runner.url as string)));
      clients.push(client);
      await expect(client.callTool({ name: 'big', arguments: { bytes: 200_000 } })).rejects.toThrow(
        /refused/,
      );
      const small = await client.callTool({ name: 'big', arguments: { bytes: 10 } });
      expect(small.content).toEqual([{ type: 'text', text: 'x'.repeat(10) }]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('answers with an error, not a hang, when the HTTP upstream cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { log } = memoryLogger();
    const runner = await startRunner({
      listen: { kind: 'http', host: '127.0.0.1', port: 0 },
      upstream: { kind: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: {} },
      mediator: recordingMediator(),
      principal: { id: 'nobody', tier: 'untrusted' },
      tokens: [],
      limits,
      log,
    });
    runners.push(runner);
    const t0 = Date.now();
    const res = await fetch(runner.url as string, { method: 'POST', headers, body: initBody });
    const text = await res.text();
    expect(Date.now() - t0).toBeLessThan(limits.upstreamTimeoutMs);
    expect(text).toMatch(/upstream_failed/);
  });
});
