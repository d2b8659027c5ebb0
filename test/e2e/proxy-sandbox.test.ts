import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { childTransport } from '../helpers/child-transport.js';
import { CLI, killAll, REPO, SERVERS, watch } from '../helpers/processes.js';

afterAll(() => killAll());

/** Why the sandbox tests cannot run here, or undefined when bwrap can create its namespaces. */
function unavailable(): string | undefined {
  const r = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', '--', '/bin/true'], {
    encoding: 'utf8',
  });
  if (r.error !== undefined) return 'bwrap (bubblewrap) is not installed';
  if (r.status !== 0) return `bwrap cannot create namespaces here: ${r.stderr.trim().split('\n')[0]}`;
  return undefined;
}

const skip = unavailable();
if (skip !== undefined) console.warn(`skipping the sandbox end-to-end tests: ${skip}`);

const HOSTILE = join(REPO, 'test/fixtures/hostile-server.mjs');

type Text = { type: string; text?: string };
const textOf = (r: unknown): string => (r as { content?: Text[] }).content?.[0]?.text ?? '';

/** A temporary folder with a workspace, a read-only folder, a folder outside both, and a fake HOME. */
function box() {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-sandbox-'));
  const paths = {
    dir,
    workspace: join(dir, 'workspace'),
    readonly: join(dir, 'readonly'),
    outside: join(dir, 'outside'),
    home: join(dir, 'home'),
  };
  for (const p of [paths.workspace, paths.readonly, paths.outside, join(paths.home, '.ssh')])
    mkdirSync(p, { recursive: true });
  writeFileSync(join(paths.home, '.ssh', 'id_rsa'), '-----BEGIN FAKE KEY-----\n');
  return paths;
}

describe.skipIf(skip !== undefined)('governed-mcp proxy --sandbox', () => {
  it('lets server-filesystem write and read a file in its writable workspace', async () => {
    const b = box();
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--sandbox',
      '--sandbox-writable',
      b.workspace,
      '--',
      process.execPath,
      SERVERS.filesystem,
      b.workspace,
    ]);
    const client = new Client({ name: 'e2e-sandbox', version: '1.0.0' });
    await client.connect(childTransport(proxy.child) as Transport);
    const file = join(b.workspace, 'note.txt');
    const write = await client.callTool({
      name: 'write_file',
      arguments: { path: file, content: 'inside\n' },
    });
    expect(write.isError, textOf(write)).toBeFalsy();
    expect(readFileSync(file, 'utf8')).toBe('inside\n');
    const read = await client.callTool({ name: 'read_text_file', arguments: { path: file } });
    expect(textOf(read)).toContain('inside');
    await client.close();
    expect(await proxy.exited).toBe(0);
  });

  it('stops a hostile server the gate allows at the OS level: no outside write, no ~/.ssh, no network', async () => {
    const b = box();
    const connections: number[] = [];
    const listener: Server = createServer((socket) => {
      connections.push(1);
      socket.destroy();
    });
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
    const port = (listener.address() as { port: number }).port;
    const targets = [
      join(b.outside, 'evil.txt'),
      join(b.readonly, 'evil.txt'),
      join(REPO, 'test/fixtures/evil.txt'),
    ];
    const proxy = watch(
      process.execPath,
      [
        ...CLI,
        'proxy',
        '--sandbox',
        '--sandbox-writable',
        b.workspace,
        '--sandbox-read-only',
        b.readonly,
        '--',
        process.execPath,
        HOSTILE,
        '--write',
        targets.join(','),
        '--port',
        String(port),
      ],
      { ...process.env, HOME: b.home },
    );
    try {
      const client = new Client({ name: 'e2e-sandbox', version: '1.0.0' });
      await client.connect(childTransport(proxy.child) as Transport);
      const save = await client.callTool({ name: 'save_note', arguments: {} });
      // The gate allowed the call (the server answered); the OS refused every write.
      expect(save.isError, textOf(save)).toBeFalsy();
      const results = textOf(save).split('\n');
      expect(results).toHaveLength(3);
      expect(results[0]).toMatch(/: ENOENT$/); // the outside folder does not exist in the sandbox
      expect(results[1]).toMatch(/: EROFS$/); // the read-only folder is mounted read-only
      expect(results[2]).toMatch(/: EROFS$/); // so is the server's own code
      for (const t of targets) expect(existsSync(t)).toBe(false);

      const key = await client.callTool({ name: 'read_profile', arguments: {} });
      expect(key.isError, textOf(key)).toBeFalsy();
      expect(textOf(key)).toBe(`${join(b.home, '.ssh', 'id_rsa')}: ENOENT`);

      const ping = await client.callTool({ name: 'ping_service', arguments: {} });
      expect(ping.isError, textOf(ping)).toBeFalsy();
      expect(textOf(ping)).toMatch(/: (ECONNREFUSED|ENETUNREACH|EACCES)$/);
      expect(connections).toHaveLength(0);
      await client.close();
      expect(await proxy.exited).toBe(0);
    } finally {
      listener.close();
    }
  });

  it('refuses to start (exit 3, one line naming the directory) when a writable directory is missing', async () => {
    const b = box();
    const missing = join(b.dir, 'no-such-dir');
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--sandbox',
      '--sandbox-writable',
      missing,
      '--',
      process.execPath,
      HOSTILE,
    ]);
    expect(await proxy.exited).toBe(3);
    const line = proxy.lines.find((l) => l.includes('sandbox_unavailable'));
    expect(line).toBeDefined();
    expect(line).toContain(`writable directory ${missing} does not exist`);
    expect(proxy.lines.some((l) => l.includes('upstream_started'))).toBe(false);
  });
});

describe('governed-mcp proxy --sandbox usage errors', () => {
  it.each([
    [['--sandbox', '--upstream-url', 'http://127.0.0.1:1/mcp'], 'the sandbox runs a stdio upstream'],
    [['--sandbox-writable', '/tmp', '--', 'node', 'x.js'], 'need --sandbox'],
  ])('%j exits 2 naming the problem', async (args, message) => {
    const proxy = watch(process.execPath, [...CLI, 'proxy', ...args]);
    expect(await proxy.exited).toBe(2);
    expect(proxy.lines.some((l) => l.includes('"event":"usage"') && l.includes(message))).toBe(true);
  });
});
