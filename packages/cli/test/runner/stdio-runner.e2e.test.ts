import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../../../test/helpers/events.js';
import { type Runner, type RunnerLimitOptions, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, handshake, lineClient, memoryLogger, recordingMediator } from './harness.js';

// The upstream timeout is long enough for a child to start on a loaded machine; the test of the
// timeout itself sets a shorter one.
const limits = {
  maxFrameBytes: 64 * 1024,
  upstreamTimeoutMs: 15_000,
  maxSessions: 4,
  maxPending: 8,
  maxQueuedBytes: 1024 * 1024,
};

let runner: Runner | undefined;
afterEach(async () => {
  await runner?.close('test_end');
  runner = undefined;
});

async function start(
  overrides: Parameters<typeof fixtureUpstream>[0] = {},
  limitOverrides: Partial<RunnerLimitOptions> = {},
) {
  const client = lineClient();
  const mediator = recordingMediator();
  const upstream = fixtureUpstream(overrides);
  const { log, lines, until } = memoryLogger();
  runner = await startRunner({
    listen: { kind: 'stdio' },
    upstream: upstream.spec,
    mediator,
    principal: { id: 'alice', tier: 'standard' },
    tokens: [],
    limits: { ...limits, ...limitOverrides },
    log,
    stdin: client.stdin,
    stdout: client.stdout,
  });
  return { client, mediator, upstream, lines, until, runner };
}

const call = (name: string, args: Record<string, unknown> = {}) => ({ name, arguments: args });

describe('the runner over stdio', () => {
  it('bridges a session through the mediator in both directions with the configured principal', async () => {
    const { client, mediator } = await start();
    const init = await handshake(client);
    expect(init).toMatchObject({ result: { serverInfo: { name: 'runner-fixture' } } });
    const res = await client.request(1, 'tools/call', call('echo', { text: 'hi' }));
    expect(res).toMatchObject({ result: { content: [{ type: 'text', text: 'hi' }] } });
    expect(mediator.fromClientFrames.map((f) => (f.frame as { method?: string }).method)).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/call',
    ]);
    expect(mediator.fromClientFrames[2]?.peer).toMatchObject({
      principal: { id: 'alice', tier: 'standard' },
      transport: { kind: 'stdio' },
    });
    expect(mediator.fromServerFrames).toHaveLength(2);
  });

  it('fails a call closed when the upstream hangs, and stays up for the next call', async () => {
    const { client } = await start({}, { upstreamTimeoutMs: 3000 });
    await handshake(client);
    const t0 = Date.now();
    const hung = await client.request(1, 'tools/call', call('hang'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    expect(hung).toMatchObject({
      error: { data: { governedMcp: { layer: 'runner', code: 'upstream_failed' } } },
    });
    const ok = await client.request(2, 'tools/call', call('echo', { text: 'still here' }));
    expect(ok).toMatchObject({ result: { content: [{ text: 'still here' }] } });
  });

  it('fails pending calls closed when the upstream crashes, then restarts it and replays initialize', async () => {
    const { client, upstream, lines } = await start();
    await handshake(client);
    client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: call('hang') });
    const crashed = await client.request(2, 'tools/call', call('crash'));
    expect(crashed).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    const hung = await client.next((m) => m.id === 1);
    expect(hung).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    const ok = await client.request(3, 'tools/call', call('echo', { text: 'after restart' }));
    expect(ok).toMatchObject({ result: { content: [{ text: 'after restart' }] } });
    const pids = new Set(upstream.received().map((r) => r.pid));
    expect(pids.size).toBe(2);
    const second = upstream.received().filter((r) => r.pid !== upstream.received()[0]?.pid);
    expect(second.map((r) => r.method)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
    expect(lines.some((l) => l.event === 'upstream_restart')).toBe(true);
  });

  it('refuses an oversized frame without forwarding it and keeps serving', async () => {
    const { client, mediator } = await start();
    await handshake(client);
    const before = mediator.fromClientFrames.length;
    client.sendRaw(
      `${JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: call('echo', { text: 'x'.repeat(100_000) }) })}\n`,
    );
    // Answered with the request's own id, so the client is not left waiting for its timeout.
    const refused = await client.next((m) => m.id === 9);
    expect(refused).toMatchObject({ error: { data: { governedMcp: { code: 'frame_too_large' } } } });
    expect(mediator.fromClientFrames.length).toBe(before);
    client.sendRaw('{ not json\n');
    expect(await client.next((m) => m.id === null)).toMatchObject({ error: { code: -32700 } });
    const ok = await client.request(10, 'tools/call', call('echo', { text: 'fine' }));
    expect(ok).toMatchObject({ result: { content: [{ text: 'fine' }] } });
  });

  it('passes only the runner-configured environment to the child, never the runner its own secrets', async () => {
    process.env.GMCP_TEST_RUNNER_SECRET = 'must-not-leak';
    try {
      const { client } = await start();
      await handshake(client);
      const mine = await client.request(1, 'tools/call', call('env', { name: 'FIXTURE_SECRET' }));
      expect(mine).toMatchObject({ result: { content: [{ text: 'from-runner-config' }] } });
      const leaked = await client.request(2, 'tools/call', call('env', { name: 'GMCP_TEST_RUNNER_SECRET' }));
      expect(leaked).toMatchObject({ result: { content: [{ text: '(unset)' }] } });
    } finally {
      delete process.env.GMCP_TEST_RUNNER_SECRET;
    }
  });

  it('on close fails pending calls closed, closes the mediator once, and ends when the client leaves', async () => {
    const { client, mediator, upstream } = await start();
    await handshake(client);
    client.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: call('hang') });
    await upstream.untilReceived((all) => all.some((r) => r.id === 5));
    await runner?.close('sigterm');
    expect(await client.next((m) => m.id === 5)).toMatchObject({
      error: { data: { governedMcp: { code: 'mediator_closed' } } },
    });
    expect(mediator.closed).toBe(1);
  });

  it('stops on its own when the client closes its input', async () => {
    const { client, mediator, runner: r } = await start();
    await handshake(client);
    client.stdin.end();
    await r.closed;
    expect(mediator.closed).toBe(1);
  });

  it('answers with an error when the upstream cannot be started, and keeps running', async () => {
    const { client, runner: r } = await start({ command: '/nonexistent/mcp-server', args: [] });
    const init = await client.request(0, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'runner-test', version: '1.0.0' },
    });
    expect(init).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    const again = await client.request(1, 'ping');
    expect(again).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    let stopped = false;
    void r.closed.then(() => {
      stopped = true;
    });
    await settle('the runner stopping by itself', 100);
    expect(stopped).toBe(false);
  });

  it('stops restarting a child that keeps crashing once the restart budget is spent', async () => {
    const { client, upstream } = await start({ restart: { maxRestarts: 1, windowMs: 60_000 } });
    await handshake(client);
    expect(await client.request(1, 'tools/call', call('crash'))).toMatchObject({ error: {} });
    expect(await client.request(2, 'tools/call', call('crash'))).toMatchObject({ error: {} });
    const refused = await client.request(3, 'tools/call', call('echo', { text: 'x' }));
    expect(refused).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    // One original child and one restart, no more.
    expect(new Set(upstream.received().map((r) => r.pid)).size).toBe(2);
  });

  it('drops an upstream answer over the frame limit: the call fails closed, the child restarts, the session continues', async () => {
    const { client, lines } = await start({ maxFrameBytes: 32 * 1024 });
    await handshake(client);
    const huge = await client.request(1, 'tools/call', call('big', { bytes: 200_000 }));
    expect(huge).toMatchObject({ error: { data: { governedMcp: { code: 'upstream_failed' } } } });
    expect(JSON.stringify(huge).length).toBeLessThan(2000);
    expect(
      lines.some((l) => l.event === 'upstream_error' && /exceeded maximum size/.test(String(l.message))),
    ).toBe(true);
    const ok = await client.request(2, 'tools/call', call('echo', { text: 'after' }));
    expect(ok).toMatchObject({ result: { content: [{ text: 'after' }] } });
  });

  it('refuses requests beyond the in-flight limit instead of queueing them', async () => {
    const { client, upstream } = await start();
    await handshake(client);
    for (let id = 1; id <= limits.maxPending; id++) {
      client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: call('hang') });
    }
    const over = await client.request(99, 'tools/call', call('echo', { text: 'one too many' }));
    expect(over).toMatchObject({ error: { data: { governedMcp: { code: 'too_many_pending' } } } });
    const reached = (): number => upstream.received().filter((r) => r.method === 'tools/call').length;
    await upstream.untilReceived(() => reached() >= limits.maxPending);
    await settle('a request beyond the limit reaching the upstream');
    expect(reached()).toBe(limits.maxPending);
  });
});
