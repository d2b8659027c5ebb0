import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenDigest } from '../../src/config.js';
import { type Runner, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, memoryLogger, recordingMediator } from './harness.js';

// Message-layer attacks over HTTP: one in-flight id per session (a reused id is refused, the first answer still
// flows), sessions bound to the token that opened them (not to a principal id two tokens may share),
// no eviction of another token's sessions, batches refused like on stdio, oversized bodies answered
// with their id.

const ALICE = 'alice-token-0123456789abcdef';
const ALICE_TWO = 'alice-second-token-0123456789';
const BOB = 'bob-token-0123456789abcdef01';
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const runners: Runner[] = [];
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(runners.splice(0).map((r) => r.close('test_end')));
});

async function start(
  extra: { maxSessions?: number; maxSessionsPerPrincipal?: number; upstreamTimeoutMs?: number } = {},
) {
  const mediator = recordingMediator();
  const { log, lines } = memoryLogger();
  const upstream = fixtureUpstream();
  const { maxSessionsPerPrincipal, ...rest } = extra;
  const runner = await startRunner({
    listen: { kind: 'http', host: '127.0.0.1', port: 0 },
    upstream: upstream.spec,
    mediator,
    principal: { id: 'nobody', tier: 'untrusted' },
    tokens: [
      { sha256: tokenDigest(ALICE), principal: { id: 'alice', tier: 'trusted' } },
      { sha256: tokenDigest(ALICE_TWO), principal: { id: 'alice', tier: 'trusted' } },
      { sha256: tokenDigest(BOB), principal: { id: 'bob', tier: 'standard' } },
    ],
    limits: {
      maxFrameBytes: 64 * 1024,
      upstreamTimeoutMs: 5000,
      maxSessions: 4,
      maxPending: 8,
      maxQueuedBytes: 1024 * 1024,
      ...rest,
      ...(maxSessionsPerPrincipal === undefined ? {} : { maxSessionsPerPrincipal }),
    },
    log,
  });
  runners.push(runner);
  return { url: runner.url as string, mediator, lines, upstream };
}

async function connect(url: string, token: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'http-hardening', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, sessionId: transport.sessionId as string };
}

function post(url: string, token: string, sessionId: string | undefined, body: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2025-06-18',
      ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
    },
    body,
  });
}

const callBody = (id: number, name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('the HTTP listener under message-layer attacks', () => {
  it('refuses a second POST reusing an id in flight and still delivers the first answer', async () => {
    const { url, upstream } = await start({ upstreamTimeoutMs: 1500 });
    const { sessionId } = await connect(url, ALICE);
    const first = post(url, ALICE, sessionId, callBody(50, 'hang'));
    await upstream.untilReceived((all) => all.some((r) => r.method === 'tools/call'));
    const second = await post(url, ALICE, sessionId, callBody(50, 'echo', { text: 'second' }));
    const secondText = await second.text();
    expect(secondText).toContain('"id":50');
    expect(secondText).toContain('duplicate_id');
    const firstText = await (await first).text();
    // The first request's own answer (the upstream timed out) reaches the first POST.
    expect(firstText).toContain('"id":50');
    expect(firstText).toContain('upstream_failed');
  });

  it('does not let a second token sharing the principal id use the first token’s session', async () => {
    const { url, mediator } = await start();
    const { sessionId } = await connect(url, ALICE);
    const before = mediator.fromClientFrames.length;
    const res = await post(url, ALICE_TWO, sessionId, callBody(7, 'echo', { text: 'x' }));
    expect(res.status).toBe(404);
    expect(mediator.fromClientFrames.length).toBe(before);
  });

  it('does not let a second token sharing the principal id evict the first token’s session', async () => {
    const { url } = await start({ maxSessionsPerPrincipal: 1 });
    const first = await connect(url, ALICE);
    await connect(url, ALICE_TWO);
    const res = await first.client.callTool({ name: 'echo', arguments: { text: 'still here' } });
    expect(res.content).toEqual([{ type: 'text', text: 'still here' }]);
  });

  it('refuses a new session when the server is full rather than evicting another principal’s', async () => {
    const { url, lines } = await start({ maxSessions: 2 });
    const b1 = await connect(url, BOB);
    const b2 = await connect(url, BOB);
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    const refused = await post(url, ALICE, undefined, init);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toMatch(/too many sessions/);
    for (const b of [b1, b2]) {
      expect((await b.client.callTool({ name: 'echo', arguments: { text: 'bob' } })).content).toEqual([
        { type: 'text', text: 'bob' },
      ]);
    }
    expect(lines.some((l) => l.msg === 'session_evicted' || l.event === 'session_evicted')).toBe(false);
  });

  it('refuses a JSON-RPC batch with one error, as on stdio, and passes none of it on', async () => {
    const { url, mediator } = await start();
    const { sessionId } = await connect(url, ALICE);
    const before = mediator.fromClientFrames.length;
    const res = await post(
      url,
      ALICE,
      sessionId,
      `[${callBody(8, 'echo', { text: 'a' })},${callBody(9, 'echo', { text: 'b' })}]`,
    );
    const body = (await res.json()) as { id: unknown; error: { code: number; data?: unknown } };
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32600);
    expect(JSON.stringify(body)).toContain('batch_refused');
    expect(mediator.fromClientFrames.length).toBe(before);
  });

  it('answers an oversized body with its own id', async () => {
    const { url, mediator } = await start();
    const { sessionId } = await connect(url, ALICE);
    const before = mediator.fromClientFrames.length;
    const body = `{"jsonrpc":"2.0","method":"tools/call","params":{"pad":"${'x'.repeat(200_000)}"},"id":77}`;
    const res = await post(url, ALICE, sessionId, body);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      id: 77,
      error: { data: { governedMcp: { code: 'frame_too_large' } } },
    });
    expect(mediator.fromClientFrames.length).toBe(before);
  });
});
