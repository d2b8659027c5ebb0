import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decisions } from '../helpers/audit-records.js';
import { childTransport } from '../helpers/child-transport.js';
import { guarded } from '../helpers/events.js';
import {
  CLI,
  killAll,
  SERVERS,
  startEverythingHttp,
  startProxy,
  verifyAudit,
  watch,
} from '../helpers/processes.js';

afterAll(() => killAll());

type Text = { type: string; text?: string };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-everything-'));
  const audit = join(dir, 'audit.jsonl');
  const config = join(dir, 'proxy.json');
  // get-env would hand the agent the server's environment: only privileged principals may call it. The
  // agent is 'trusted' because the sampling tool is open-world, which the default tier table ranks higher.
  writeFileSync(
    config,
    JSON.stringify({
      principal: { id: 'agent-2', tier: 'trusted' },
      settings: { tools: [{ match: 'get-env', tier: 'privileged' }] },
      audit: { path: audit, durability: 'group' },
    }),
  );
  return { audit, config };
}

interface EverythingClient {
  readonly client: Client;
  readonly sampled: string[];
  /** Resolves on the first `notifications/tools/list_changed` (registered before connecting, so none is missed). */
  readonly toolsChanged: Promise<void>;
}

function newClient(): EverythingClient {
  const sampled: string[] = [];
  const client = new Client({ name: 'e2e-everything', version: '1.0.0' }, { capabilities: { sampling: {} } });
  const toolsChanged = new Promise<void>((resolve) =>
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    const first = req.params.messages[0]?.content as Text | undefined;
    sampled.push(first?.text ?? '');
    return {
      model: 'e2e-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled by the client' },
    };
  });
  return { client, sampled, toolsChanged };
}

/** echo, a denied call, progress notifications on the call's stream, and a server-to-client sampling request. */
async function exercise({ client, sampled, toolsChanged }: EverythingClient): Promise<void> {
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'through the gate' } });
  expect((echo.content as Text[])[0]?.text).toBe('Echo: through the gate');

  const env = await client.callTool({ name: 'get-env', arguments: {} });
  expect(env.isError).toBe(true);
  expect(JSON.stringify(env.content)).not.toContain('PATH');
  expect((env.content as Text[])[0]?.text).toMatch(/denied/i);

  const progress: number[] = [];
  const long = await client.callTool(
    { name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } },
    undefined,
    { onprogress: (p) => progress.push(p.progress) },
  );
  expect(long.isError).toBeFalsy();
  expect(progress).toEqual([1, 2, 3]);

  // The sampling tool appears once the server knows the client can sample (tools/list_changed).
  let tools = (await client.listTools()).tools.map((t) => t.name);
  if (!tools.includes('trigger-sampling-request')) {
    await guarded(toolsChanged, 'notifications/tools/list_changed');
    tools = (await client.listTools()).tools.map((t) => t.name);
  }
  expect(tools).not.toContain('get-env');
  const sampling = await client.callTool({
    name: 'trigger-sampling-request',
    arguments: { prompt: 'hi', maxTokens: 5 },
  });
  expect(sampling.isError, JSON.stringify(sampling.content)).toBeFalsy();
  expect(JSON.stringify(sampling.content)).toContain('sampled by the client');
  expect(sampled).toHaveLength(1);
}

async function expectAudit(audit: string): Promise<void> {
  const { code, report } = await verifyAudit(audit);
  expect(code).toBe(0);
  expect(report.ok).toBe(true);
  const made = decisions(audit).map((r) => [
    r.data.call?.method,
    r.data.call?.tool,
    r.data.decision?.outcome,
  ]);
  expect(made).toHaveLength(5);
  expect(made).toEqual(
    expect.arrayContaining([
      ['tools/call', 'echo', 'allow'],
      ['tools/call', 'get-env', 'deny'],
      ['tools/call', 'trigger-long-running-operation', 'allow'],
      ['tools/call', 'trigger-sampling-request', 'allow'],
    ]),
  );
  // The server's sampling request to the client is mediated and recorded too.
  expect(made.filter(([method]) => method === 'sampling/createMessage')).toHaveLength(1);
}

describe('governed-mcp proxy in front of server-everything', () => {
  it('stdio in, child over stdio out', async () => {
    const { audit, config } = setup();
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--config',
      config,
      '--',
      process.execPath,
      SERVERS.everything,
      'stdio',
    ]);
    const everything = newClient();
    const { client } = everything;
    await client.connect(childTransport(proxy.child) as Transport);
    await exercise(everything);
    await client.close();
    expect(await proxy.exited).toBe(0);
    await expectAudit(audit);
  });

  it('HTTP in, Streamable HTTP out (--upstream-url)', async () => {
    const { audit, config } = setup();
    const upstream = await startEverythingHttp();
    const proxy = await startProxy([
      '--config',
      config,
      '--listen',
      '127.0.0.1:0',
      '--upstream-url',
      upstream.url,
    ]);
    const everything = newClient();
    const { client } = everything;
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url as string)));
    await exercise(everything);
    await client.close();
    expect(await proxy.stop()).toBe(0);
    await upstream.stop();
    await expectAudit(audit);
  });
});
