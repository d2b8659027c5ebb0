import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseCheckpoint,
  verifyAuditFile,
  verifyChainAgainstCheckpoint,
  writeCheckpointKeyPair,
} from '@governed-mcp/core/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../src/config.js';
import { startProxy } from '../../src/runner/start-proxy.js';
import { FIXTURE_SERVER } from './harness.js';

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the proxy signs audit checkpoints', () => {
  it('writes a checkpoint after N records and a last one at shutdown, both verifying against the chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-checkpoint-proxy-'));
    const { publicKey } = await writeCheckpointKeyPair(join(dir, 'gate'), 'gate-1');
    const audit = join(dir, 'audit.jsonl');
    const out = `${audit}.checkpoint`; // the default: next to the audit file
    const config = parseProxyConfig(
      {
        upstream: { name: 'fixture' },
        audit: {
          path: 'audit.jsonl',
          checkpoint: { key: 'gate.key', every: 6, everyMs: 600_000, witness: { dir: 'witness' } },
        },
      },
      dir,
    );
    const proxy = await startProxy(config, {
      listen: '127.0.0.1:0',
      command: [process.execPath, FIXTURE_SERVER],
    });
    const client = new Client({ name: 'checkpoint-proxy', version: '1.0.0' });
    let first = '';
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(proxy.runner.url as string)));
      expect(existsSync(out)).toBe(false);
      for (let i = 0; i < 4; i++) await client.callTool({ name: 'echo', arguments: { text: `call ${i}` } });
      await until(() => existsSync(out));
      first = readFileSync(out, 'utf8');
      const size = (parseCheckpoint(first) as { checkpoint: { size: number } }).checkpoint.size;
      expect(size).toBeGreaterThanOrEqual(6);
      expect((await verifyChainAgainstCheckpoint(audit, first, publicKey)).ok).toBe(true);
      await client.callTool({ name: 'echo', arguments: { text: 'last' } });
    } finally {
      await client.close().catch(() => undefined);
      await proxy.stop('test_end');
    }
    const last = readFileSync(out, 'utf8');
    const report = await verifyAuditFile(audit);
    const r = await verifyChainAgainstCheckpoint(audit, last, publicKey);
    expect(r).toMatchObject({ ok: true, checkpoint: { ok: true, size: report.records, hash: report.head } });
    // The first checkpoint still holds for the grown chain; every checkpoint is in the history.
    expect((await verifyChainAgainstCheckpoint(audit, first, publicKey)).ok).toBe(true);
    const history = readFileSync(`${out}.history`, 'utf8').trim().split('\n');
    expect(history.map((l) => (JSON.parse(l) as { checkpoint: string }).checkpoint)).toEqual(
      expect.arrayContaining([first, last]),
    );
    expect(readdirSync(join(dir, 'witness'))).toContain(`checkpoint-${report.records}.txt`);
  });

  it('refuses to start with a private key file that others can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-checkpoint-proxy-'));
    await writeCheckpointKeyPair(join(dir, 'gate'), 'gate-1');
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'gate.key'), 0o644);
    const config = parseProxyConfig(
      { upstream: { name: 'fixture' }, audit: { path: 'audit.jsonl', checkpoint: { key: 'gate.key' } } },
      dir,
    );
    await expect(
      startProxy(config, { listen: '127.0.0.1:0', command: [process.execPath, FIXTURE_SERVER] }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('checkpoint_key_unprotected'),
    });
    // The audit log it opened was closed again: its lock is gone.
    expect(existsSync(join(dir, 'audit.jsonl.lock'))).toBe(false);
  });

  it('resolves the key, out and witness folder against the config file and refuses a witness with neither', () => {
    const c = parseProxyConfig(
      { audit: { path: 'a.jsonl', checkpoint: { key: 'k.key', out: 'cp', witness: { dir: 'w' } } } },
      '/srv/gate',
    );
    expect(c.audit?.checkpoint).toMatchObject({
      key: '/srv/gate/k.key',
      out: '/srv/gate/cp',
      every: 1000,
      everyMs: 60_000,
      witness: { dir: '/srv/gate/w' },
    });
    expect(() =>
      parseProxyConfig({ audit: { path: 'a.jsonl', checkpoint: { key: 'k.key', witness: {} } } }, '/srv'),
    ).toThrow(/a witness needs dir or url/);
  });
});
