import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-cli-proxy-'));
/** An upstream that starts and waits; the proxy stops when its stdio client (the test) closes stdin. */
const UPSTREAM = ['--', process.execPath, '-e', 'process.stdin.resume()'];

function lastLine(text: string): Record<string, unknown> {
  return JSON.parse(text.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
}

describe('governed-mcp proxy start-up', () => {
  it('prints a bad policy file’s diagnostics as they are, each caret under its column, and exits 2', async () => {
    const policy = join(dir, 'bad.policy');
    writeFileSync(policy, 'default allow\nallow read_file when tier is trusted ]\n');
    const r = await runCli(['proxy', '--policy', policy, '--', process.execPath, '-e', '']);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${policy}:2:`));
    expect(at).toBeGreaterThan(-1);
    const column = Number(/:2:(\d+):/.exec(lines[at]!)?.[1]);
    const source = lines[at + 1]!;
    const caret = lines[at + 2]!;
    // The source line is shown after a gutter (`    2 | `); the caret sits under the reported column.
    const gutter = source.indexOf('| ') + 2;
    expect(source.slice(gutter)).toBe('allow read_file when tier is trusted ]');
    expect(caret.slice(0, gutter)).toMatch(/^\s*\| $/);
    expect(caret.indexOf('^')).toBe(gutter + column - 1);
    // Programs reading the log still get one JSON line naming the failure.
    expect(lastLine(r.stderr)).toMatchObject({ level: 'error', event: 'usage' });
  });

  it('creates the missing folders of the audit file (where its pins live too), private to the user, and exits 0', async () => {
    const audit = join(dir, 'fresh', 'nested', 'audit', 'log.jsonl');
    const r = await runCli(['proxy', '--audit', audit, ...UPSTREAM]);
    expect(r.code).toBe(ExitCode.Ok);
    expect(statSync(audit).isFile()).toBe(true);
    for (const folder of ['fresh', 'fresh/nested', 'fresh/nested/audit']) {
      expect(statSync(join(dir, folder)).mode & 0o777, folder).toBe(0o700);
    }
    const verify = await runCli(['audit', 'verify', audit]);
    expect(verify.code).toBe(ExitCode.Ok);
  });

  it('exits 2 naming the path when the audit folder cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const r = await runCli(['proxy', '--audit', join(blocker, 'audit', 'log.jsonl'), ...UPSTREAM]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(lastLine(r.stderr)).toMatchObject({
      event: 'usage',
      message: expect.stringMatching(/io_error: .*a-file/),
    });
  });

  describe('when the listen address is taken', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('exits 3 (could not start) with a start_failed event, not a usage error', async () => {
      const r = await runCli(['proxy', '--listen', `127.0.0.1:${port}`, ...UPSTREAM]);
      expect(r.code).toBe(ExitCode.StartFailed);
      expect(lastLine(r.stderr)).toMatchObject({
        level: 'error',
        event: 'start_failed',
        message: expect.stringMatching(/EADDRINUSE/),
      });
    });
  });

  describe('logs', () => {
    it('writes JSON lines on stderr when it is not a terminal, and nothing on stdout', async () => {
      const r = await runCli(['proxy', ...UPSTREAM]);
      expect(r.code).toBe(ExitCode.Ok);
      expect(r.stdout).toBe('');
      const events = r.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: string; event: string; time: string });
      expect(events.map((e) => e.event)).toContain('proxy_started');
      for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('writes readable lines with --log-format pretty', async () => {
      const r = await runCli(['proxy', '--log-format', 'pretty', ...UPSTREAM]);
      expect(r.code).toBe(ExitCode.Ok);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: proxy_started layers=\[/.test(l))).toBe(
        true,
      );
      for (const l of lines) expect(l.startsWith('{')).toBe(false);
    });

    it('leaves out info events with --log-level warn', async () => {
      const r = await runCli(['proxy', '--log-format', 'json', '--log-level', 'warn', ...UPSTREAM]);
      expect(r.code).toBe(ExitCode.Ok);
      const levels = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { level: string }).level);
      for (const level of levels) expect(['warn', 'error']).toContain(level);
    });

    it('refuses an unknown --log-format with a usage error', async () => {
      const r = await runCli(['proxy', '--log-format', 'xml', ...UPSTREAM]);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.stderr).toMatch(/xml/);
    });
  });
});
