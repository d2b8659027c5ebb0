// Governed MCP in process: a real SDK server, wrapped by the gate in a few lines, driven by the SDK client.
// Run: node --conditions=@governed-mcp/source --import tsx examples/in-process/main.ts
import { pathToFileURL } from 'node:url';
import {
  AuditChain,
  createGate,
  createMemorySink,
  createPipeline,
  createSchemaLayer,
  createTierLayer,
  createTierTable,
  DEFAULT_SETTINGS,
} from '@governed-mcp/core';
import { connectGoverned, tierVisibility } from '@governed-mcp/middleware-mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** What the example observed; `runInProcessExample` throws if any of it is not as expected. */
export interface InProcessReport {
  readonly listed: string[];
  readonly read: string;
  readonly deleteDenial: unknown;
  readonly schemaDenial: unknown;
  readonly handlerRuns: string[];
  readonly auditRecords: number;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`in-process example: ${what}`);
}

/** Builds an ordinary SDK server: nothing in it knows about the gate. */
function buildNotesServer(runs: string[]): McpServer {
  const notes = new Map([['todo', 'buy milk']]);
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool(
    'read_note',
    {
      description: 'Reads a note by name.',
      inputSchema: { name: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ name }) => {
      runs.push(`read_note:${name}`);
      return { content: [{ type: 'text', text: notes.get(name) ?? '(no such note)' }] };
    },
  );
  server.registerTool(
    'delete_note',
    {
      description: 'Deletes a note.',
      inputSchema: { name: z.string() },
      annotations: { destructiveHint: true },
    },
    async ({ name }) => {
      runs.push(`delete_note:${name}`);
      notes.delete(name);
      return { content: [{ type: 'text', text: 'deleted' }] };
    },
  );
  return server;
}

/** Runs the example and checks its own output. */
export async function runInProcessExample(): Promise<InProcessReport> {
  const runs: string[] = [];
  const server = buildNotesServer(runs);

  // --- The governed part: a pipeline, a gate with an audit chain, and one call to connect. ---
  const tiers = createTierTable(DEFAULT_SETTINGS);
  const pipeline = createPipeline([createTierLayer(DEFAULT_SETTINGS, { table: tiers }), createSchemaLayer()]);
  const sink = createMemorySink();
  const audit = new AuditChain(sink, { durability: 'write' });
  const gate = createGate({ pipeline, audit });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(server, serverSide, {
    gate,
    visibility: tierVisibility(tiers),
    peer: { principal: { id: 'agent-7', tier: 'standard' } },
  });
  // ---------------------------------------------------------------------------------------------

  const client = new Client({ name: 'example-agent', version: '1.0.0' });
  await client.connect(clientSide);

  const listed = (await client.listTools()).tools.map((t) => t.name);
  const read = await client.callTool({ name: 'read_note', arguments: { name: 'todo' } });
  const del = await client.callTool({ name: 'delete_note', arguments: { name: 'todo' } });
  const bad = await client.callTool({ name: 'read_note', arguments: { name: 42 } });
  await client.close();
  await mediator.close();
  await audit.close();

  const report: InProcessReport = {
    listed,
    read: (read.content as { text: string }[])[0]?.text ?? '',
    deleteDenial: (del.structuredContent as { governedMcp?: unknown } | undefined)?.governedMcp,
    schemaDenial: (bad.structuredContent as { governedMcp?: unknown } | undefined)?.governedMcp,
    handlerRuns: runs,
    auditRecords: sink.lines.filter((l) => l.includes('"type":"decision"')).length,
  };
  check(
    listed.join() === 'read_note',
    `a standard principal should see only read_note, saw ${listed.join()}`,
  );
  check(report.read === 'buy milk', 'the allowed call should return the note');
  check(
    del.isError === true && (report.deleteDenial as { code?: string })?.code === 'tool_hidden',
    'delete_note must be refused',
  );
  check(
    bad.isError === true && (report.schemaDenial as { layer?: string })?.layer === 'schema',
    'bad arguments must be denied by the schema layer',
  );
  check(runs.join() === 'read_note:todo', `only the allowed call may reach a handler, got ${runs.join()}`);
  check(report.auditRecords === 3, `one decision record per call, got ${report.auditRecords}`);
  return report;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runInProcessExample();
  console.log(JSON.stringify(report, null, 2));
  console.log('in-process example: ok');
}
