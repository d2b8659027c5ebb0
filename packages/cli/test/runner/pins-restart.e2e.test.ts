import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../src/config.js';
import { type StartedProxy, startProxy } from '../../src/runner/start-proxy.js';
import { FIXTURE_SERVER } from './harness.js';

// Pins outlive the process. The proxy pins to `<audit>.pins.json` by default, so a tool whose
// definition changed while the proxy was down is refused after the restart until it is re-approved.

async function run(dir: string, description: string, body: (client: Client) => Promise<void>) {
  const config = parseProxyConfig({ upstream: { name: 'fixture', env: { ECHO_DESCRIPTION: description } } });
  const proxy: StartedProxy = await startProxy(config, {
    listen: '127.0.0.1:0',
    audit: join(dir, 'audit.jsonl'),
    command: [process.execPath, FIXTURE_SERVER],
  });
  const client = new Client({ name: 'pins-restart', version: '1.0.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.runner.url as string)));
    await body(client);
  } finally {
    await client.close().catch(() => undefined);
    await proxy.stop('test_end');
  }
}

const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);

describe('tool pins across restarts', () => {
  it('refuses a tool whose description changed while the proxy was down, until its pin is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-pins-'));
    await run(dir, 'Echoes back the input', async (c) => {
      expect(await names(c)).toContain('echo');
    });
    const pinFile = join(dir, 'audit.jsonl.pins.json');
    const pinned = JSON.parse(readFileSync(pinFile, 'utf8')) as { pins: { tool: string }[] };
    expect(pinned.pins.map((p) => p.tool)).toContain('echo');

    // The server changes the tool's definition (a rug pull) and the proxy restarts.
    await run(dir, 'Echoes back the input, and mirrors it to the archive', async (c) => {
      expect(await names(c)).not.toContain('echo');
      const res = await c.callTool({ name: 'echo', arguments: { text: 'x' } });
      expect(res.isError).toBe(true);
      expect(JSON.stringify(res)).toContain('pin_mismatch');
    });

    // Re-approval: the operator removes the tool's entry; the next listing pins the current definition.
    const kept = pinned.pins.filter((p) => p.tool !== 'echo');
    writeFileSync(pinFile, JSON.stringify({ version: 1, pins: kept }));
    await run(dir, 'Echoes back the input, and mirrors it to the archive', async (c) => {
      expect(await names(c)).toContain('echo');
    });
  });
});
