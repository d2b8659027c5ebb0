import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { decisions, readAudit } from '../helpers/audit-records.js';
import { CLI, killAll, REPO, verifyAudit, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const FIXTURE = join(REPO, 'packages/middleware-mcp/test/runner/fixtures/upstream-server.mjs');

/** Starts the proxy over stdio in front of the fixture upstream, with an audit chain, and initializes it. */
async function initializedProxy(prefix: string, client: string) {
  const audit = join(mkdtempSync(join(tmpdir(), `${prefix}-`)), 'audit.jsonl');
  const proxy = watch(process.execPath, [...CLI, 'proxy', '--audit', audit, '--', process.execPath, FIXTURE]);
  const answers = new Map<unknown, Record<string, unknown>>();
  createInterface({ input: proxy.child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as Record<string, unknown>;
    answers.set(m.id, m);
  });
  const send = (m: unknown): void => {
    proxy.child.stdin!.write(`${JSON.stringify(m)}\n`);
  };
  const answer = async (id: unknown): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 200 && !answers.has(id); i++) await new Promise((r) => setTimeout(r, 50));
    const m = answers.get(id);
    if (m === undefined) throw new Error(`no answer to ${String(id)}:\n${proxy.lines.slice(-10).join('\n')}`);
    return m;
  };
  const init = {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: client, version: '1' },
  };
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init });
  await answer(0);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { audit, proxy, send, answer };
}

describe('governed-mcp proxy shutdown', () => {
  it('on SIGTERM fails the call in flight closed, records its outcome, flushes the audit chain and exits 0', async () => {
    const { audit, proxy, send, answer } = await initializedProxy('gmcp-e2e-shutdown', 'shutdown');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'before' } },
    });
    expect(await answer(1)).toMatchObject({ result: { content: [{ text: 'before' }] } });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    // Wait until the hung call was decided (its decision record is on disk), then stop the proxy.
    for (let i = 0; i < 100 && decisions(audit).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(decisions(audit)).toHaveLength(2);

    expect(await proxy.stop()).toBe(0);
    expect(await answer(2)).toMatchObject({ error: { data: { governedMcp: { denied: true } } } });
    expect(proxy.lines.some((l) => l.includes('"event":"audit_closed"'))).toBe(true);

    const { code, report } = await verifyAudit(audit);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(decisions(audit).map((r) => r.data.call?.tool)).toEqual(['echo', 'hang']);
    // Both calls have an outcome: the echo ok, the hung call failed closed.
    const outcomes = readAudit(audit).filter((r) => r.type === 'outcome') as unknown as {
      data: { tool: string; status: string };
    }[];
    expect(outcomes.map((o) => [o.data.tool, o.data.status])).toEqual([
      ['echo', 'ok'],
      ['hang', 'error'],
    ]);
  });

  it('when the upstream crashes, the calls in flight fail closed with their outcomes recorded, and the proxy carries on', async () => {
    const { audit, proxy, send, answer } = await initializedProxy('gmcp-e2e-crash', 'crash');
    send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'crash', arguments: {} } });
    expect(await answer(1)).toMatchObject({ error: { data: { governedMcp: { denied: true } } } });
    expect(await answer(2)).toMatchObject({ error: { data: { governedMcp: { denied: true } } } });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'restarted' } },
    });
    expect(await answer(3)).toMatchObject({ result: { content: [{ text: 'restarted' }] } });
    proxy.child.stdin!.end();
    expect(await proxy.exited).toBe(0);

    const { code } = await verifyAudit(audit);
    expect(code).toBe(0);
    const outcomes = readAudit(audit).filter((r) => r.type === 'outcome') as unknown as {
      data: { tool: string; status: string };
    }[];
    expect(outcomes.map((o) => [o.data.tool, o.data.status]).sort()).toEqual([
      ['crash', 'error'],
      ['echo', 'ok'],
      ['hang', 'error'],
    ]);
    expect(proxy.lines.some((l) => l.includes('"event":"upstream_restart"'))).toBe(true);
  });
});
