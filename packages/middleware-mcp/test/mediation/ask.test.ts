import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, createGate, createPipeline, defineLayer } from '@governed-mcp/core';
import { openAuditLog, verifyAuditFile } from '@governed-mcp/core/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectGoverned } from '../../src/in-process.js';
import type { MediationLog } from '../../src/mediation/mediator-types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-ask-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asks about every `send_money` call; everything else passes. */
const asker = defineLayer('asker', async (ctx, next) =>
  ctx.call.tool.name === 'send_money'
    ? ask('asker', 'moves_money', 'Send money to this account?', 'the call moves money')
    : next(),
);

type Answerer = (message: string) => Promise<ElicitResult> | ElicitResult;

interface Setup {
  /** How the client's person answers; without one the client declares no elicitation. */
  readonly answer?: Answerer;
  readonly askTimeoutMs?: number;
}

async function connect(setup: Setup) {
  const server = new McpServer({ name: 'bank', version: '1.0.0' });
  const ran: string[] = [];
  server.registerTool(
    'send_money',
    { description: 'Sends money to an account.', inputSchema: { iban: z.string(), amount: z.number() } },
    async ({ iban, amount }) => {
      ran.push(`send_money:${iban}:${amount}`);
      return { content: [{ type: 'text', text: 'sent' }] };
    },
  );
  server.registerTool('read_balance', { description: 'Shows the balance.' }, async () => {
    ran.push('read_balance');
    return { content: [{ type: 'text', text: '100' }] };
  });
  const auditPath = join(dir, 'audit.jsonl');
  const audit = await openAuditLog(auditPath, { durability: 'write' });
  const logs: MediationLog[] = [];
  const gate = createGate({ pipeline: createPipeline([asker]), audit });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(server, serverSide, {
    gate,
    server: 'bank',
    log: (l) => logs.push(l),
    ...(setup.askTimeoutMs === undefined ? {} : { askTimeoutMs: setup.askTimeoutMs }),
  });
  const asked: string[] = [];
  const client = new Client(
    { name: 'desk', version: '3.1' },
    setup.answer === undefined ? {} : { capabilities: { elicitation: {} } },
  );
  if (setup.answer !== undefined) {
    const answer = setup.answer;
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const message = String(req.params.message);
      asked.push(message);
      return answer(message);
    });
  }
  await client.connect(clientSide);
  const send = () =>
    client.callTool({ name: 'send_money', arguments: { iban: 'NL91ABNA0417164300', amount: 5 } });
  const finish = async () => {
    await client.close();
    await mediator.close();
    await audit.close();
    const report = await verifyAuditFile(auditPath);
    const rows = (await readFile(auditPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; type: string; data: Record<string, unknown> });
    return { report, rows };
  };
  return { client, ran, asked, logs, send, finish };
}

function codeOf(result: unknown): unknown {
  return (result as { structuredContent?: { governedMcp?: { code?: unknown } } }).structuredContent
    ?.governedMcp?.code;
}

describe('asking a person through MCP elicitation', () => {
  it('forwards an approved call to the server and records the decision and the answer in a chain that verifies', async () => {
    const t = await connect({ answer: () => ({ action: 'accept', content: { approve: true } }) });
    const res = await t.send();
    expect(res.isError).toBeFalsy();
    expect(res.content).toEqual([{ type: 'text', text: 'sent' }]);
    expect(t.ran).toEqual(['send_money:NL91ABNA0417164300:5']);
    // The question names the tool, the server, the reason and the argument names, never their values.
    expect(t.asked).toHaveLength(1);
    expect(t.asked[0]).toContain("'send_money'");
    expect(t.asked[0]).toContain("server 'bank'");
    expect(t.asked[0]).toContain('Send money to this account?');
    expect(t.asked[0]).toContain('the call moves money');
    expect(t.asked[0]).toContain('iban, amount');
    expect(t.asked[0]).not.toContain('NL91ABNA0417164300');
    const { report, rows } = await t.finish();
    expect(report.ok).toBe(true);
    const decision = rows.find((r) => r.type === 'decision');
    const answer = rows.find((r) => r.type === 'answer');
    expect(decision?.data).toMatchObject({
      decision: { outcome: 'ask', question: 'Send money to this account?' },
    });
    expect(answer?.data).toMatchObject({
      ref: decision?.seq,
      verdict: 'approved',
      how: 'elicitation',
      question: 'Send money to this account?',
      by: { principal: 'anonymous', client: { name: 'desk', version: '3.1' } },
    });
    expect(rows.filter((r) => r.type === 'outcome')).toHaveLength(1);
  });

  it('refuses a declined call with ask_declined, never running it, and records the answer', async () => {
    const t = await connect({ answer: () => ({ action: 'decline' }) });
    const res = await t.send();
    expect(res.isError).toBe(true);
    expect(codeOf(res)).toBe('ask_declined');
    expect(t.ran).toEqual([]);
    const { report, rows } = await t.finish();
    expect(report.ok).toBe(true);
    expect(rows.find((r) => r.type === 'answer')?.data).toMatchObject({ verdict: 'declined' });
  });

  it('treats an accept without approval as a refusal', async () => {
    const t = await connect({ answer: () => ({ action: 'accept', content: { approve: false } }) });
    expect(codeOf(await t.send())).toBe('ask_declined');
    expect(t.ran).toEqual([]);
    await t.finish();
  });

  it('refuses at once with ask_unavailable when the client did not declare elicitation', async () => {
    const t = await connect({});
    const res = await t.send();
    expect(codeOf(res)).toBe('ask_unavailable');
    expect(JSON.stringify(res.content)).toContain('a person must approve this call');
    expect(t.ran).toEqual([]);
    // Calls nobody asks about are not affected.
    expect((await t.client.callTool({ name: 'read_balance', arguments: {} })).isError).toBeFalsy();
    const { report, rows } = await t.finish();
    expect(report.ok).toBe(true);
    expect(rows.find((r) => r.type === 'answer')?.data).toMatchObject({ verdict: 'unavailable' });
  });

  it('refuses with ask_timeout when nobody answers in time, and ignores the late answer', async () => {
    let late: ((r: ElicitResult) => void) | undefined;
    const t = await connect({
      answer: () => new Promise<ElicitResult>((resolve) => (late = resolve)),
      askTimeoutMs: 150,
    });
    const res = await t.send();
    expect(codeOf(res)).toBe('ask_timeout');
    late?.({ action: 'accept', content: { approve: true } });
    await new Promise((r) => setTimeout(r, 50));
    expect(t.ran).toEqual([]);
    const { report, rows } = await t.finish();
    expect(report.ok).toBe(true);
    expect(rows.filter((r) => r.type === 'answer').map((r) => r.data.verdict)).toEqual(['timeout']);
  });

  it('refuses with ask_invalid when the answer does not have the shape asked for', async () => {
    const t = await connect({
      answer: () => ({ action: 'accept', content: { approve: 'sure' } }) as unknown as ElicitResult,
    });
    const res = await t.send();
    expect(codeOf(res)).toBe('ask_invalid');
    expect(t.ran).toEqual([]);
    const { rows } = await t.finish();
    expect(rows.find((r) => r.type === 'answer')?.data).toMatchObject({ verdict: 'invalid' });
  });
});
