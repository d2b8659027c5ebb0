import {
  AuditChain,
  createGate,
  createMemorySink,
  createPipeline,
  defineLayer,
  deny,
  type ToolCall,
} from '@governed-mcp/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMediator } from '../../src/mediation/mediator.js';
import type {
  MediationLog,
  Mediator,
  MediatorOptions,
  PeerInfo,
  Routed,
} from '../../src/mediation/mediator-types.js';

/** The parts of an audit record the tests read. */
export interface AuditRow {
  readonly type: string;
  readonly data: {
    readonly decision: { readonly outcome: string; readonly reasons: readonly { readonly code: string }[] };
    readonly status?: string;
  };
}

/** Tools the fake server lists. `delete_file` is denied by the test policy. */
export const TOOLS = [
  {
    name: 'read_file',
    description: 'Reads a file from the workspace.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'delete_file',
    description: 'Deletes a file from the workspace.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    annotations: { destructiveHint: true },
  },
] as const;

/** A mediator over a pipeline that records every call it decides and denies `delete_file`. */
export function harness(options: Partial<MediatorOptions> = {}) {
  const decided: ToolCall[] = [];
  const logs: MediationLog[] = [];
  const pipeline = createPipeline([
    defineLayer('policy', async (ctx, next) => {
      decided.push(ctx.call);
      return ctx.call.tool.name === 'delete_file'
        ? deny('policy', 'destructive', 'deleting files is not allowed')
        : next();
    }),
  ]);
  const sink = createMemorySink();
  const audit = new AuditChain(sink, { durability: 'write' });
  const gate = createGate({ pipeline, audit });
  const mediator: Mediator = createMediator({ gate, log: (l) => logs.push(l), ...options });
  /** The audit records written so far (after a flush). */
  const records = async (type?: string) => {
    await audit.flush();
    const all = sink.lines.map((l) => JSON.parse(l) as AuditRow);
    return type === undefined ? all : all.filter((r) => r.type === type);
  };
  const peer: PeerInfo = { transport: { kind: 'in-process' }, sessionId: 's1' };
  const client = (frame: unknown, p: PeerInfo = peer): Promise<Routed> => mediator.fromClient(frame, p);
  const server = (frame: unknown, p: PeerInfo = peer): Promise<Routed> => mediator.fromServer(frame, p);
  /** A client tools/list answered by the fake server with `tools`; resolves to what the client sees. */
  const list = async (
    tools: readonly unknown[] = TOOLS,
    id: number | string = 'list-1',
    p: PeerInfo = peer,
  ) => {
    const out = await client({ jsonrpc: '2.0', id, method: 'tools/list', params: {} }, p);
    if (out.toServer.length !== 1) throw new Error(`tools/list was not forwarded: ${JSON.stringify(out)}`);
    const back = await server({ jsonrpc: '2.0', id, result: { tools } }, p);
    return back.toClient[0] as { result?: { tools: { name: string }[] }; error?: unknown };
  };
  const call = (id: number | string, name: string, args: unknown = {}, p: PeerInfo = peer) =>
    client({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }, p);
  return { mediator, decided, logs, peer, client, server, list, call, records, audit };
}

/** The `tools/call` requests among messages (what would reach the server). */
export function toolCalls(messages: readonly JSONRPCMessage[]): JSONRPCMessage[] {
  return messages.filter((m) => (m as { method?: string }).method === 'tools/call');
}

/** The `governedMcp` part of a denied tool result or refusal error. */
export function denial(message: unknown): { layer: string; code: string; reason: string } | undefined {
  const m = message as
    | {
        result?: { isError?: boolean; structuredContent?: { governedMcp?: unknown } };
        error?: { data?: { governedMcp?: unknown } };
      }
    | undefined;
  return (m?.result?.structuredContent?.governedMcp ?? m?.error?.data?.governedMcp) as
    | { layer: string; code: string; reason: string }
    | undefined;
}
