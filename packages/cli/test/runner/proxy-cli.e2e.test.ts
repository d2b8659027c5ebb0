import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../src/config.js';
import { parseListen, resolveUpstream } from '../../src/runner/start-proxy.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/cli/main.ts');

/** Runs `governed-mcp proxy …` from source with stdin closed; resolves with exit code and output. */
function proxy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@governed-mcp/source', '--import', 'tsx', MAIN, 'proxy', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('governed-mcp proxy usage errors', () => {
  it.each([
    [[], /no upstream/],
    [
      ['--upstream-url', 'http://127.0.0.1:1/mcp', '--', 'node', 'x.js'],
      /either --upstream-url or -- COMMAND/,
    ],
    [['--upstream-url', 'ftp://example.com/'], /must be http/],
    [['--listen', 'nowhere', '--', 'node', 'x.js'], /--listen takes stdio or HOST:PORT/],
    [['--layers', 'everything', '--', 'node', 'x.js'], /--layers takes/],
    [['--config', '/nonexistent/proxy.json', '--', 'node', 'x.js'], /io_error: cannot read config/],
    [['--listen', '0.0.0.0:0', '--', 'node', 'x.js'], /non-loopback address needs bearer tokens/],
  ])('%j exits 2 with a JSON error on stderr and nothing on stdout', async (args, message) => {
    const { code, stdout, stderr } = await proxy(args as string[]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const line = stderr.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(line)).toMatchObject({ level: 'error', event: 'usage' });
    expect(line).toMatch(message);
  });

  it('an invalid config file exits 2 naming the bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-cli-'));
    const file = join(dir, 'proxy.json');
    writeFileSync(file, JSON.stringify({ limits: { maxPending: -1 } }));
    const { code, stderr } = await proxy(['--config', file, '--', 'node', 'x.js']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid_config: invalid proxy config:.*limits\.maxPending/s);
  });
});

describe('parseListen', () => {
  it('reads stdio, HOST:PORT and [IPv6]:PORT, and refuses the rest', () => {
    expect(parseListen('stdio')).toEqual({ kind: 'stdio' });
    expect(parseListen('127.0.0.1:0')).toEqual({ kind: 'http', host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:8080')).toEqual({ kind: 'http', host: '::1', port: 8080 });
    expect(parseListen('localhost:65535')).toEqual({ kind: 'http', host: 'localhost', port: 65535 });
    for (const bad of ['127.0.0.1', ':80', '127.0.0.1:65536', 'a b:80', '::1:80', '127.0.0.1:-1']) {
      expect(() => parseListen(bad), bad).toThrow(/--listen/);
    }
  });
});

describe('resolveUpstream', () => {
  const config = parseProxyConfig(
    {
      upstream: {
        headers: { 'x-static': 'a' },
        headersFromEnv: { authorization: 'UPSTREAM_AUTH' },
        env: { CHILD_ONLY: '1' },
        envPassthrough: ['KEEP_ME'],
        command: ['node', 'from-config.js'],
      },
    },
    '/',
    { UPSTREAM_AUTH: 'Bearer upstream-secret' },
  );
  const env = {
    UPSTREAM_AUTH: 'Bearer upstream-secret',
    KEEP_ME: 'yes',
    DROP_ME: 'secret',
    PATH: '/usr/bin',
  };

  it('builds HTTP upstream headers from the config and the runner environment only', () => {
    const spec = resolveUpstream(config, { upstreamUrl: 'http://127.0.0.1:9/mcp' }, env);
    expect(spec).toMatchObject({
      kind: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { 'x-static': 'a', authorization: 'Bearer upstream-secret' },
    });
  });

  it('gives a child the safe minimum environment, named pass-through variables and its extras', () => {
    const spec = resolveUpstream(config, { command: ['node', 'server.js'] }, env);
    expect(spec.kind).toBe('stdio');
    if (spec.kind !== 'stdio') return;
    expect(spec.command).toBe('node');
    expect(spec.args).toEqual(['server.js']);
    expect(spec.env.KEEP_ME).toBe('yes');
    expect(spec.env.CHILD_ONLY).toBe('1');
    expect(spec.env.DROP_ME).toBeUndefined();
    expect(spec.env.UPSTREAM_AUTH).toBeUndefined();
  });

  it('falls back to the config command when the command line names no upstream', () => {
    const spec = resolveUpstream(config, {}, env);
    expect(spec).toMatchObject({ kind: 'stdio', command: 'node', args: ['from-config.js'] });
  });
});
