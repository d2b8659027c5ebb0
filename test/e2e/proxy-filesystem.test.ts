import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decisions } from '../helpers/audit-records.js';
import { childTransport } from '../helpers/child-transport.js';
import { CLI, killAll, SERVERS, startProxy, verifyAudit, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const TOKEN = 'e2e-token-0123456789abcdef0123';

/** A sandbox with one file, and a proxy config that makes writes privileged and rate-limits mkdir. */
function sandbox(extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-fs-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  writeFileSync(join(root, 'hello.txt'), 'hello world\n');
  const audit = join(dir, 'audit.jsonl');
  const config = join(dir, 'proxy.json');
  writeFileSync(
    config,
    JSON.stringify({
      principal: { id: 'agent-1', tier: 'standard' },
      settings: {
        tools: [
          { match: 'write_file', tier: 'privileged' },
          {
            match: 'create_directory',
            rateLimit: { perPrincipalTool: { capacity: 1, refillPerSec: 0.0001 } },
          },
        ],
      },
      audit: { path: audit, durability: 'fsync' },
      ...extra,
    }),
  );
  return { dir, root, audit, config };
}

type Text = { type: string; text?: string };

/** The calls every transport variant makes, with what must happen to the disk. */
async function exercise(client: Client, root: string): Promise<void> {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).toContain('read_text_file');
  expect(names).not.toContain('write_file');

  const read = await client.callTool({
    name: 'read_text_file',
    arguments: { path: join(root, 'hello.txt') },
  });
  expect(read.isError).toBeFalsy();
  expect((read.content as Text[])[0]?.text).toContain('hello world');

  const evil = join(root, 'evil.txt');
  const write = await client.callTool({ name: 'write_file', arguments: { path: evil, content: 'pwned' } });
  expect(write.isError).toBe(true);
  expect((write.content as Text[])[0]?.text).toMatch(/denied/i);
  expect(existsSync(evil)).toBe(false);

  const first = await client.callTool({ name: 'create_directory', arguments: { path: join(root, 'one') } });
  expect(first.isError).toBeFalsy();
  expect(existsSync(join(root, 'one'))).toBe(true);
  const second = await client.callTool({ name: 'create_directory', arguments: { path: join(root, 'two') } });
  expect(second.isError).toBe(true);
  // The structured copy is left out for tools with an output schema; the text names the layer.
  expect((second.content as Text[])[0]?.text).toMatch(/layer 'rate-limit'/);
  expect(existsSync(join(root, 'two'))).toBe(false);
}

/** Four tools/call requests were made: one decision record each, denies included, and the chain verifies. */
async function expectAudit(audit: string): Promise<void> {
  const { code, report } = await verifyAudit(audit);
  expect(code).toBe(0);
  expect(report.ok).toBe(true);
  const records = decisions(audit);
  expect(records.map((r) => [r.data.call?.tool, r.data.decision?.outcome])).toEqual([
    ['read_text_file', 'allow'],
    ['write_file', 'deny'],
    ['create_directory', 'allow'],
    ['create_directory', 'deny'],
  ]);
}

describe('governed-mcp proxy in front of server-filesystem', () => {
  it('over stdio: allowed calls work, denied calls never reach the server, the audit chain verifies', async () => {
    const box = sandbox();
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--config',
      box.config,
      '--',
      process.execPath,
      SERVERS.filesystem,
      box.root,
    ]);
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await client.connect(childTransport(proxy.child) as Transport);
    await exercise(client, box.root);
    await client.close();
    expect(await proxy.exited).toBe(0);
    // Logs went to stderr as JSON lines; stdout carried only the protocol.
    expect(proxy.lines.length).toBeGreaterThan(0);
    for (const line of proxy.lines.filter((l) => l.startsWith('{')))
      expect(() => JSON.parse(line)).not.toThrow();
    await expectAudit(box.audit);
  });

  it('over Streamable HTTP with a bearer token: same behaviour, and SIGTERM exits 0 after flushing', async () => {
    const box = sandbox({
      tokens: [{ tokenEnv: 'GMCP_E2E_TOKEN', principal: { id: 'agent-1', tier: 'standard' } }],
    });
    const proxy = await startProxy(
      [
        '--config',
        box.config,
        '--listen',
        '127.0.0.1:0',
        '--',
        process.execPath,
        SERVERS.filesystem,
        box.root,
      ],
      { ...process.env, GMCP_E2E_TOKEN: TOKEN },
    );
    const url = proxy.url as string;
    const unauthorized = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unauthorized.status).toBe(401);
    const client = new Client({ name: 'e2e-http', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    await exercise(client, box.root);
    expect(await proxy.stop()).toBe(0);
    await client.close().catch(() => undefined);
    await expectAudit(box.audit);
    expect(proxy.lines.some((l) => l.includes('"event":"audit_closed"'))).toBe(true);
  });
});
