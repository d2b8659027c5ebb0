import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decisions, readAudit } from '../helpers/audit-records.js';
import { jsonLines, untilFile } from '../helpers/events.js';
import { CLI, killAll, REPO, verifyAudit, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const FIXTURE = join(REPO, 'packages/cli/test/runner/fixtures/upstream-server.mjs');

/** What every call in flight at shutdown is answered, whatever triggered the shutdown. */
const SHUTDOWN_ANSWER = { error: { data: { governedMcp: { denied: true, code: 'mediator_closed' } } } };

/**
 * Starts the proxy over stdio in front of the fixture upstream (which logs what reaches it), with an
 * audit chain, and initializes it.
 */
async function initializedProxy(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const audit = join(dir, 'audit.jsonl');
  const received = join(dir, 'received.jsonl');
  const config = join(dir, 'proxy.json');
  writeFileSync(
    config,
    JSON.stringify({ upstream: { command: [process.execPath, FIXTURE], env: { RECEIVED_LOG: received } } }),
  );
  const proxy = watch(process.execPath, [...CLI, 'proxy', '--config', config, '--audit', audit]);
  const stdout = jsonLines(proxy.child.stdout!, () => proxy.lines.slice(-20).join('\n'));
  const send = (m: unknown): void => {
    proxy.child.stdin!.write(`${JSON.stringify(m)}\n`);
  };
  const call = (id: number, name: string, args: Record<string, unknown> = {}): void =>
    send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  /** Resolves once the upstream has received the call with this id (it is in flight there). */
  const reached = (id: number) =>
    untilFile(received, (text) => text.split('\n').some((l) => l.includes(`"id":${id}`)));
  send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: prefix, version: '1' } },
  });
  await stdout.answer(0);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { audit, proxy, call, answer: stdout.answer, reached, received };
}

type Started = Awaited<ReturnType<typeof initializedProxy>>;

/** One answered call and one hung call in flight upstream. */
async function withHungCall(p: Started): Promise<void> {
  p.call(1, 'echo', { text: 'before' });
  expect(await p.answer(1)).toMatchObject({ result: { content: [{ text: 'before' }] } });
  p.call(2, 'hang');
  await p.reached(2);
}

/** The audit chain verifies, and records both calls with their outcomes: echo ok, the hung call failed. */
async function expectChainClosedCleanly(audit: string): Promise<void> {
  const { code, report } = await verifyAudit(audit);
  expect(code).toBe(0);
  expect(report.ok).toBe(true);
  expect(decisions(audit).map((r) => r.data.call?.tool)).toEqual(['echo', 'hang']);
  const outcomes = readAudit(audit).filter((r) => r.type === 'outcome') as unknown as {
    data: { tool: string; status: string };
  }[];
  expect(outcomes.map((o) => [o.data.tool, o.data.status])).toEqual([
    ['echo', 'ok'],
    ['hang', 'error'],
  ]);
}

/** The events of the proxy's log named `event`. */
const logged = (p: Started, event: string): Record<string, unknown>[] =>
  p.proxy.lines.filter((l) => l.includes(`"event":"${event}"`)).map((l) => JSON.parse(l));

describe('governed-mcp proxy shutdown', () => {
  it('on SIGTERM fails the call in flight closed, records its outcome, flushes the audit chain and exits 0', async () => {
    const p = await initializedProxy('gmcp-e2e-sigterm');
    await withHungCall(p);
    expect(await p.proxy.stop()).toBe(0);
    expect(await p.answer(2)).toMatchObject(SHUTDOWN_ANSWER);
    expect(logged(p, 'runner_stopping')).toMatchObject([{ reason: 'sigterm', pending: 1 }]);
    expect(logged(p, 'audit_closed')).toHaveLength(1);
    await expectChainClosedCleanly(p.audit);
  });

  it('when the client closes its input, the call in flight gets the same answer as on SIGTERM, and the proxy exits 0', async () => {
    const p = await initializedProxy('gmcp-e2e-eof');
    await withHungCall(p);
    p.proxy.child.stdin!.end();
    expect(await p.proxy.exited).toBe(0);
    expect(await p.answer(2)).toMatchObject(SHUTDOWN_ANSWER);
    expect(logged(p, 'runner_stopping')).toMatchObject([{ reason: 'client_disconnected', pending: 1 }]);
    expect(logged(p, 'audit_closed')).toHaveLength(1);
    await expectChainClosedCleanly(p.audit);
  });

  it('a signal during the wait after the client left joins the one shutdown: same answer, one stop, exit 0', async () => {
    const p = await initializedProxy('gmcp-e2e-both');
    await withHungCall(p);
    p.proxy.child.stdin!.end();
    await p.proxy.waitFor((l) => l.includes('"event":"runner_stopping"'));
    expect(await p.proxy.stop()).toBe(0);
    expect(await p.answer(2)).toMatchObject(SHUTDOWN_ANSWER);
    // The first trigger names the shutdown; the second only cut its wait short.
    expect(logged(p, 'runner_stopping')).toMatchObject([{ reason: 'client_disconnected' }]);
    expect(logged(p, 'runner_stopped')).toHaveLength(1);
    expect(logged(p, 'audit_closed')).toHaveLength(1);
    await expectChainClosedCleanly(p.audit);
  });

  it('an upstream that exits during shutdown (one Ctrl-C reaching both) changes neither the answer nor the exit, and is not restarted', async () => {
    const p = await initializedProxy('gmcp-e2e-upstream-exit');
    await withHungCall(p);
    const upstream = (await untilFile(p.received, (t) => t.includes('"pid"'))).split('\n')[0] ?? '';
    const pid = (JSON.parse(upstream) as { pid: number }).pid;
    p.proxy.child.stdin!.end();
    await p.proxy.waitFor((l) => l.includes('"event":"runner_stopping"'));
    process.kill(pid, 'SIGINT');
    expect(await p.proxy.exited).toBe(0);
    expect(await p.answer(2)).toMatchObject(SHUTDOWN_ANSWER);
    expect(logged(p, 'upstream_restart')).toEqual([]);
    await expectChainClosedCleanly(p.audit);
  });

  it('when the upstream crashes, the calls in flight fail closed with their outcomes recorded, and the proxy carries on', async () => {
    const p = await initializedProxy('gmcp-e2e-crash');
    p.call(1, 'hang');
    await p.reached(1);
    p.call(2, 'crash');
    const upstreamFailed = { error: { data: { governedMcp: { denied: true, code: 'upstream_failed' } } } };
    expect(await p.answer(1)).toMatchObject(upstreamFailed);
    expect(await p.answer(2)).toMatchObject(upstreamFailed);
    p.call(3, 'echo', { text: 'restarted' });
    expect(await p.answer(3)).toMatchObject({ result: { content: [{ text: 'restarted' }] } });
    p.proxy.child.stdin!.end();
    expect(await p.proxy.exited).toBe(0);

    const { code } = await verifyAudit(p.audit);
    expect(code).toBe(0);
    const outcomes = readAudit(p.audit).filter((r) => r.type === 'outcome') as unknown as {
      data: { tool: string; status: string };
    }[];
    expect(outcomes.map((o) => [o.data.tool, o.data.status]).sort()).toEqual([
      ['crash', 'error'],
      ['echo', 'ok'],
      ['hang', 'error'],
    ]);
    expect(logged(p, 'upstream_restart')).toHaveLength(1);
  });
});
