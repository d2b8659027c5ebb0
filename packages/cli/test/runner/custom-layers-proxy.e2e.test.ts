import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyAuditFile } from '@governed-mcp/core/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig, type ProxyConfig, parseProxyConfig } from '../../src/config.js';
import { startProxy } from '../../src/runner/start-proxy.js';
import { FIXTURE_SERVER } from './harness.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BANK_SERVER = join(FIXTURES, 'bank-server.mjs');
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = join(ROOT, 'packages/cli/src/cli/main.ts');

/** Lines of a JSON-lines file, parsed; none when it does not exist. */
function jsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The audit's decision records: the tool, the outcome, the reasons and the layers that ran, in order. */
function decisions(
  auditPath: string,
): { tool: unknown; outcome: unknown; reasons: unknown[]; ran: unknown[] }[] {
  return jsonLines(auditPath)
    .filter((r) => r.type === 'decision')
    .map((r) => {
      const d = r.data as {
        call?: { tool?: unknown };
        decision?: { outcome?: unknown; reasons?: unknown[] };
        layers?: { layer?: unknown }[];
      };
      return {
        tool: d.call?.tool,
        outcome: d.decision?.outcome,
        reasons: d.decision?.reasons ?? [],
        ran: (d.layers ?? []).map((l) => l.layer),
      };
    });
}

/** Starts the proxy on a loopback port in front of `command`, runs `body` with a connected client. */
async function withProxy(
  config: ProxyConfig,
  command: string[],
  audit: string,
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const proxy = await startProxy(config, { listen: '127.0.0.1:0', audit, command });
  const client = new Client({ name: 'custom-layers', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.runner.url as string)));
    await body(client);
  } finally {
    await client.close().catch(() => undefined);
    await proxy.stop('test_end');
  }
}

describe('custom layers in the running proxy', () => {
  it('runs the worked example: a small transfer reaches the server, a large one is denied and audited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-custom-'));
    const transfers = join(dir, 'transfers.jsonl');
    const audit = join(dir, 'audit.jsonl');
    const file = await loadProxyConfig(join(FIXTURES, 'custom-layers.proxy.json'));
    const config: ProxyConfig = {
      ...file,
      upstream: { ...file.upstream, env: { TRANSFERS_LOG: transfers } },
    };
    await withProxy(config, [process.execPath, BANK_SERVER], audit, async (client) => {
      const small = await client.callTool({ name: 'transfer', arguments: { to: 'acme', amountCents: 2500 } });
      expect(small.isError).toBeFalsy();
      const large = await client.callTool({
        name: 'transfer',
        arguments: { to: 'acme', amountCents: 500_000 },
      });
      expect(large.isError).toBe(true);
      expect(JSON.stringify(large)).toMatch(/over_limit/);
      // The module is one of the gate's own files: a call that names it is refused.
      const module = join(FIXTURES, 'layers/spend-limit.mjs');
      const named = await client.callTool({ name: 'transfer', arguments: { to: module, amountCents: 1 } });
      expect(JSON.stringify(named)).toMatch(/gate_state/);
    });
    expect(jsonLines(transfers)).toEqual([{ to: 'acme', amountCents: 2500 }]);
    const calls = decisions(audit).filter((d) => d.tool === 'transfer');
    expect(calls.map((d) => d.outcome)).toEqual(['allow', 'deny', 'deny']);
    // The layer ran where the entry put it: just before the policy, after every other built-in layer.
    expect(calls[0]?.ran).toEqual([
      'mediation',
      'schema',
      'tier',
      'rate-limit',
      'paths',
      'prefilter',
      'spend-limit',
      'policy',
    ]);
    expect(calls[0]?.reasons).toContainEqual(
      expect.objectContaining({ layer: 'spend-limit', code: 'within_limit' }),
    );
    expect(calls[1]?.reasons).toEqual([
      expect.objectContaining({ layer: 'spend-limit', code: 'over_limit' }),
    ]);
    expect((await verifyAuditFile(audit)).ok).toBe(true);
  });

  it.each([
    { exported: 'throws', layer: 'throws', code: 'layer_threw', behaviour: 'throws' },
    {
      exported: 'garbage',
      layer: 'garbage',
      code: 'layer_invalid_decision',
      behaviour: 'returns no decision',
    },
    { exported: 'hangs', layer: 'hangs', code: 'layer_timeout', behaviour: 'outlives its timeoutMs' },
    {
      exported: 'forgetsAwait',
      layer: 'forgets-await',
      code: 'next_not_awaited',
      behaviour: 'resolves before its downstream',
    },
  ])(
    'denies the call and audits $code under the layer name when the custom layer $behaviour',
    async ({ exported, layer, code }) => {
      const dir = mkdtempSync(join(tmpdir(), 'gmcp-custom-'));
      const received = join(dir, 'received.jsonl');
      const audit = join(dir, 'audit.jsonl');
      const config = parseProxyConfig(
        {
          upstream: { name: 'fixture', env: { RECEIVED_LOG: received } },
          customLayers: [
            { module: './layers/misbehaving.mjs', export: exported, after: 'tier', timeoutMs: 300 },
          ],
        },
        FIXTURES,
      );
      await withProxy(config, [process.execPath, FIXTURE_SERVER], audit, async (client) => {
        const res = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
        expect(res.isError).toBe(true);
        expect(JSON.stringify(res)).toContain(code);
      });
      // The call never reached the server, and the audit names the layer that failed and how.
      expect(jsonLines(received).filter((m) => m.method === 'tools/call')).toEqual([]);
      const echo = decisions(audit).filter((d) => d.tool === 'echo');
      expect(echo.map((d) => d.outcome)).toEqual(['deny']);
      expect(echo[0]?.reasons).toContainEqual(expect.objectContaining({ layer, code }));
      expect((await verifyAuditFile(audit)).ok).toBe(true);
    },
  );

  it('refuses to start on a module it cannot load, before opening the audit or starting the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-custom-'));
    const audit = join(dir, 'audit.jsonl');
    const received = join(dir, 'received.jsonl');
    const config = parseProxyConfig(
      {
        upstream: { name: 'fixture', env: { RECEIVED_LOG: received } },
        customLayers: [{ module: './layers/nowhere.mjs', before: 'policy' }],
      },
      FIXTURES,
    );
    await expect(
      startProxy(config, { listen: '127.0.0.1:0', audit, command: [process.execPath, FIXTURE_SERVER] }),
    ).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(/module not found/) });
    expect(existsSync(audit)).toBe(false);
    expect(existsSync(received)).toBe(false);
  });

  it('makes `governed-mcp proxy --config` exit 2 naming the entry when a layer cannot be made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-custom-'));
    const file = join(dir, 'proxy.json');
    const module = join(FIXTURES, 'layers/not-layers.mjs');
    writeFileSync(
      file,
      JSON.stringify({ customLayers: [{ module, export: 'noIntercept', after: 'schema' }] }),
    );
    const args = ['--conditions=@governed-mcp/source', '--import', 'tsx', MAIN, 'proxy', '--config', file];
    const exit = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [...args, '--', process.execPath, FIXTURE_SERVER],
        { cwd: ROOT },
        (err, _stdout, stderr) => resolve({ code: err === null ? 0 : (child.exitCode ?? null), stderr }),
      );
      child.stdin?.end();
    });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(
      /invalid_config: customLayers\[0\]: not a layer: 'no-intercept' has no intercept/,
    );
  });
});
