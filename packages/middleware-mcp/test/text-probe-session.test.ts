import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGate, createPipeline } from '@governed-mcp/core';
import {
  createProbe,
  type Probe,
  type ProbeBackend,
  type ProbeText,
  type ScoreRequest,
  type TextClassifyOptions,
  type TextProbeResult,
} from '@governed-mcp/probe';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assembleLayers } from '../src/assembly.js';
import { connectGoverned } from '../src/in-process.js';
import type { Mediator } from '../src/mediation/mediator-types.js';
import { harness } from './mediation/harness.js';

let dir: string;
const open: { client: Client; mediator: Mediator }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gmcp-text-probe-'));
});
afterEach(async () => {
  for (const { client, mediator } of open.splice(0)) {
    await client.close();
    await mediator.close();
  }
  await rm(dir, { recursive: true, force: true });
});

const OWN_IBAN = 'DE89370400440532013000';
const BILL = `Invoice 2026-114 from Lindqvist Hosting AB\nAmount due: 98.00 EUR, payable to IBAN ${OWN_IBAN} by 15 December.`;

/** A probe that calls every result `verdict` (the mediator reads only `classifyText`). */
function resultProbe(verdict: 'safe' | 'dangerous'): Pick<Probe, 'classifyText'> {
  return {
    async classifyText(input: ProbeText, opts: TextClassifyOptions): Promise<TextProbeResult> {
      const p = verdict === 'dangerous' ? 0.9 : 0.1;
      return {
        question: input.kind,
        verdict,
        pRaw: p,
        pCalibrated: p,
        pContentFree: 0.5,
        verbalizers: { safe: 'No', dangerous: 'Yes' },
        logprobs: [Math.log(1 - p), Math.log(p)],
        tokens: { prefix: 0, call: 1, labels: [1, 1] },
        truncated: false,
        alpha: opts.alpha,
        threshold: opts.threshold,
        ms: 1,
        cached: false,
      };
    },
  };
}

/** A real SDK server with a document reader and a payment tool, governed by the default constitution. */
async function office(verdict: 'safe' | 'dangerous') {
  const server = new McpServer({ name: 'office', version: '1.0.0' });
  const ran: string[] = [];
  server.registerTool(
    'read_document',
    { description: 'Reads a document from the inbox.', inputSchema: { name: z.string() } },
    async () => ({ content: [{ type: 'text', text: BILL }] }),
  );
  server.registerTool(
    'send_money',
    {
      description: 'Sends a bank transfer to the recipient.',
      inputSchema: { recipient: z.string(), amount: z.number() },
    },
    async ({ recipient, amount }) => {
      ran.push(`send_money ${recipient} ${amount}`);
      return { content: [{ type: 'text', text: 'sent' }] };
    },
  );
  const layers = await assembleLayers({
    configuration: 'no-probe',
    paths: { env: { home: dir, cwd: dir } },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(server, serverSide, {
    gate: createGate({ pipeline: createPipeline(layers) }),
    defaultPrincipal: { id: 'clerk', tier: 'trusted' },
    textProbe: { probe: resultProbe(verdict), results: true, alpha: 0.5, threshold: 0.5 },
  });
  const client = new Client({ name: 'desk', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(String(req.params.message));
    return { action: 'accept', content: { approve: true } };
  });
  await client.connect(clientSide);
  open.push({ client, mediator });
  return { client, ran, asked };
}

describe('a result the probe flagged counts in the session like a deterministic flag', () => {
  it('asks the person before a payment to an IBAN from a result only the probe called dangerous', async () => {
    const flagged = await office('dangerous');
    await flagged.client.callTool({ name: 'read_document', arguments: { name: 'bill.txt' } });
    await flagged.client.callTool({ name: 'send_money', arguments: { recipient: OWN_IBAN, amount: 98 } });
    expect(flagged.asked).toHaveLength(1);
    expect(flagged.ran).toEqual([`send_money ${OWN_IBAN} 98`]);

    const clean = await office('safe');
    await clean.client.callTool({ name: 'read_document', arguments: { name: 'bill.txt' } });
    await clean.client.callTool({ name: 'send_money', arguments: { recipient: OWN_IBAN, amount: 98 } });
    expect(clean.asked).toEqual([]);
    expect(clean.ran).toEqual([`send_money ${OWN_IBAN} 98`]);
  });
});

/** A backend that favours the dangerous answer for texts that mention EXFIL, and counts its passes. */
function scriptedBackend(): ProbeBackend & { calls: number } {
  const backend = {
    calls: 0,
    describe: () => ({ kind: 'scripted', id: 'scripted:text-probe', parallel: 1 }),
    open: async () => {},
    labelTokens: async (_cue: string, word: string) => [word.charCodeAt(0) * 1000 + word.length],
    prepare: async (text: string) => ({ text, tokenCount: 3 }),
    score: async (req: ScoreRequest) => {
      backend.calls++;
      return { logprobs: req.text.includes('EXFIL') ? [-5, -0.01] : [-0.01, -5], callTokens: 5 };
    },
    close: async () => {},
  };
  return backend;
}

describe('definitions judged by a real probe', () => {
  it('hides a definition it calls dangerous on every listing, scoring it once', async () => {
    const backend = scriptedBackend();
    const probe = await createProbe({ backend });
    const tools = [
      {
        name: 'lookup',
        description: 'Looks up EXFIL records by key.',
        inputSchema: { type: 'object', properties: { key: { type: 'string' } } },
      },
      {
        name: 'read_file',
        description: 'Reads a file from the workspace.',
        inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
      },
    ];
    // alpha 0: the verdict is the backend's raw answer, whatever the content-free calibration reads.
    const h = harness({ textProbe: { probe, definitions: true, alpha: 0, threshold: 0.5 } });
    expect((await h.list(tools, 'list-1')).result?.tools.map((t) => t.name)).toEqual(['read_file']);
    const after = backend.calls;
    expect((await h.list(tools, 'list-2')).result?.tools.map((t) => t.name)).toEqual(['read_file']);
    expect(backend.calls).toBe(after);
    const flagged = h.logs.filter((l) => l.event === 'definition_flagged');
    expect(flagged.map((l) => [l.data?.['tool'], l.data?.['cached']])).toEqual([
      ['lookup', false],
      ['lookup', true],
    ]);
    await probe.close();
  });
});
