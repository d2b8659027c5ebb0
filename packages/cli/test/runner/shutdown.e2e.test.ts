import { afterEach, describe, expect, it } from 'vitest';
import { type Runner, type RunnerLimitOptions, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, handshake, lineClient, memoryLogger, recordingMediator } from './harness.js';

let runner: Runner | undefined;
afterEach(async () => {
  await runner?.close('test_end');
  runner = undefined;
});

/** A stdio runner in front of the fixture upstream; `drainMs` is the wait after the client leaves. */
async function start(drainMs: number) {
  const client = lineClient();
  const mediator = recordingMediator();
  const upstream = fixtureUpstream();
  const { log, lines, until } = memoryLogger();
  const limits: RunnerLimitOptions = {
    maxFrameBytes: 64 * 1024,
    upstreamTimeoutMs: 120_000,
    maxSessions: 1,
    maxPending: 8,
    maxQueuedBytes: 1024 * 1024,
    drainMs,
  };
  const r = await startRunner({
    listen: { kind: 'stdio' },
    upstream: upstream.spec,
    mediator,
    principal: { id: 'alice', tier: 'standard' },
    tokens: [],
    limits,
    log,
    stdin: client.stdin,
    stdout: client.stdout,
  });
  runner = r;
  await handshake(client);
  /** Sends a hung call and resolves once it is in flight upstream. */
  const hang = async (id: number): Promise<void> => {
    client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    await upstream.untilReceived((all) => all.some((m) => m.id === id));
  };
  const events = (event: string) => lines.filter((l) => l.event === event);
  return { client, mediator, upstream, until, events, hang, runner: r };
}

/** The answer of a call in flight at shutdown, whatever triggered it. */
const SHUTDOWN = { error: { data: { governedMcp: { layer: 'runner', code: 'mediator_closed' } } } };

describe('the runner shutdown', () => {
  it('a stdio client that closes its input still gets the answers already on their way', async () => {
    const { client, runner: r } = await start(60_000);
    client.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'piped' } },
    });
    client.stdin.end();
    expect(await client.next((m) => m.id === 1)).toMatchObject({
      result: { content: [{ text: 'piped' }] },
    });
    await r.closed;
  });

  it('after the client leaves, a call that does not finish within the drain gets the shutdown answer', async () => {
    const { client, mediator, hang, events, runner: r } = await start(50);
    await hang(1);
    client.stdin.end();
    await r.closed;
    expect(await client.next((m) => m.id === 1)).toMatchObject(SHUTDOWN);
    expect(events('runner_stopping')).toMatchObject([{ reason: 'client_disconnected', pending: 1 }]);
    expect(mediator.closed).toBe(1);
  });

  it('close() during the drain joins the one shutdown, cuts the wait short, and gives the same answer', async () => {
    // A drain longer than the test's own timeout: the test passes only if close() cuts it short.
    const { client, mediator, hang, until, events, runner: r } = await start(600_000);
    await hang(1);
    client.stdin.end();
    await until('runner_stopping');
    await Promise.all([r.close('sigterm'), r.close('sigint')]);
    await r.closed;
    expect(await client.next((m) => m.id === 1)).toMatchObject(SHUTDOWN);
    expect(events('runner_stopping')).toMatchObject([{ reason: 'client_disconnected' }]);
    expect(events('runner_stopped')).toHaveLength(1);
    expect(mediator.closed).toBe(1);
  });

  it('an upstream that exits during the drain gives the shutdown answer, not an upstream failure, and is not restarted', async () => {
    const { client, upstream, hang, until, events, runner: r } = await start(600_000);
    await hang(1);
    client.stdin.end();
    await until('runner_stopping');
    const pid = upstream.received()[0]?.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGINT');
    // The call failed, nothing is left in flight: the drain ends on that event, not on its deadline.
    await r.closed;
    expect(await client.next((m) => m.id === 1)).toMatchObject(SHUTDOWN);
    expect(events('upstream_restart')).toEqual([]);
  });

  it('a frame that arrives once shutdown has begun is refused with the shutdown answer, not forwarded', async () => {
    const { client, upstream, hang, runner: r } = await start(600_000);
    await hang(1);
    const stopping = r.close('sigterm');
    client.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    await stopping;
    expect(await client.next((m) => m.id === 1)).toMatchObject(SHUTDOWN);
    expect(upstream.received().some((m) => m.id === 2)).toBe(false);
  });
});
