import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFORMANCE,
  killAll,
  REPO,
  SERVERS,
  startEverythingHttp,
  startProxy,
  verifyAudit,
} from '../helpers/processes.js';

afterAll(() => killAll());

/** Runs the official server scenarios against `url`; returns `scenario/check -> status`. */
async function conformance(url: string, outDir: string): Promise<Map<string, string>> {
  const child = spawn(CONFORMANCE, ['server', '--url', url, '-o', outDir], { cwd: REPO, stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const results = new Map<string, string>();
  for (const dir of readdirSync(outDir)) {
    // Directory names are `server-<scenario>-<timestamp>`.
    const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const checks = JSON.parse(readFileSync(join(outDir, dir, 'checks.json'), 'utf8')) as {
      id: string;
      status: string;
    }[];
    for (const c of checks) results.set(`${scenario}/${c.id}`, c.status);
  }
  return results;
}

describe('the runner is protocol-transparent to the MCP conformance suite', () => {
  it('passes every server scenario check through the runner (HTTP in, HTTP out) that server-everything passes directly', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gmcp-conformance-'));
    const upstream = await startEverythingHttp();
    const direct = await conformance(upstream.url, join(tmp, 'direct'));
    const audit = join(tmp, 'audit.jsonl');
    const proxy = await startProxy([
      '--listen',
      '127.0.0.1:0',
      '--upstream-url',
      upstream.url,
      '--audit',
      audit,
    ]);
    const proxied = await conformance(proxy.url as string, join(tmp, 'proxied'));
    expect(await proxy.stop()).toBe(0);
    await upstream.stop();

    const passedDirect = [...direct].filter(([, s]) => s === 'SUCCESS').map(([k]) => k);
    // The suite really ran: the scenarios server-everything implements pass directly.
    expect(passedDirect.length).toBeGreaterThanOrEqual(10);
    expect(passedDirect).toEqual(
      expect.arrayContaining(['server-initialize/server-initialize', 'ping/ping']),
    );
    expect([...proxied.keys()].sort()).toEqual([...direct.keys()].sort());
    const regressions = passedDirect.filter((k) => proxied.get(k) !== 'SUCCESS');
    expect(regressions).toEqual([]);
    // Where the runner differs, it is stricter than the bare server, never looser.
    const improved = [...proxied]
      .filter(([k, s]) => s === 'SUCCESS' && direct.get(k) !== 'SUCCESS')
      .map(([k]) => k);
    expect(improved.every((k) => k.startsWith('dns-rebinding-protection/'))).toBe(true);

    const { code, report } = await verifyAudit(audit);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
  }, 150_000);

  it('also passes them with server-everything as a child over stdio behind the runner (HTTP in, stdio out)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gmcp-conformance-stdio-'));
    const upstream = await startEverythingHttp();
    const direct = await conformance(upstream.url, join(tmp, 'direct'));
    await upstream.stop();
    const proxy = await startProxy([
      '--listen',
      '127.0.0.1:0',
      '--',
      process.execPath,
      SERVERS.everything,
      'stdio',
    ]);
    const proxied = await conformance(proxy.url as string, join(tmp, 'proxied'));
    expect(await proxy.stop()).toBe(0);
    const passedDirect = [...direct].filter(([, s]) => s === 'SUCCESS').map(([k]) => k);
    expect(passedDirect.length).toBeGreaterThanOrEqual(10);
    expect(passedDirect.filter((k) => proxied.get(k) !== 'SUCCESS')).toEqual([]);
  }, 150_000);
});
