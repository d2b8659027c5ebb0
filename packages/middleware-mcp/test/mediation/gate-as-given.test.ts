import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGate, createPipeline, defineLayer } from '@governed-mcp/core';
import { openAuditLog } from '@governed-mcp/core/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectGoverned } from '../../src/in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-gate-given-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const passThrough = defineLayer('policy', async (_ctx, next) => next());

/** Masks every `password` argument before a record is stored. */
function maskPassword(args: Readonly<Record<string, unknown>>): unknown {
  return 'password' in args ? { ...args, password: '***' } : args;
}

function loginServer() {
  const server = new McpServer({ name: 'accounts', version: '1.0.0' });
  server.registerTool(
    'login',
    { description: 'Signs a user in.', inputSchema: { user: z.string(), password: z.string() } },
    async ({ user }) => ({ content: [{ type: 'text', text: `welcome ${user}` }] }),
  );
  return server;
}

async function callLogin(gate: ReturnType<typeof createGate>) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(loginServer(), serverSide, { gate });
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
  const result = await client.callTool({ name: 'login', arguments: { user: 'ada', password: 'hunter2' } });
  await client.close();
  await mediator.close();
  return result;
}

describe('a mediator takes the gate as given', () => {
  it("keeps a gate's redact function: the audit log never holds the masked password", async () => {
    const path = join(dir, 'audit.jsonl');
    const audit = await openAuditLog(path, { durability: 'write' });
    const gate = createGate({
      pipeline: createPipeline([passThrough]),
      audit,
      arguments: 'full',
      redact: maskPassword,
    });
    const result = await callLogin(gate);
    await audit.close();
    expect(result.isError).not.toBe(true);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('hunter2');
    const decision = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { call?: { tool: string; args?: unknown } } })
      .find((r) => r.type === 'decision' && r.data.call?.tool === 'login');
    expect(decision?.data.call?.args).toEqual({ user: 'ada', password: '***' });
  });

  it("keeps a gate's argument setting: a digest-only gate stores no arguments", async () => {
    const path = join(dir, 'audit.jsonl');
    const audit = await openAuditLog(path, { durability: 'write' });
    await callLogin(createGate({ pipeline: createPipeline([passThrough]), audit }));
    await audit.close();
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('argsDigest');
  });
});
