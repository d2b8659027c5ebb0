/**
 * The cost of session-aware governance: response-path judgement and value provenance on a 1 KB call and
 * a 64 KB result, each beside a no-op baseline measured in the same run, and the memory one session holds
 * after 1,000 steps. Run by `governed-mcp bench session`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createPipeline, type JsonObject, ProvenanceLedger } from '@governed-mcp/core';
import { round, timeCalls } from '@governed-mcp/core/bench';
import { createMediator, judgeResult, type Mediator, type PeerInfo } from '@governed-mcp/middleware-mcp';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Options of the session benchmark. */
export interface SessionBenchOptions {
  /** Timed calls per variant. Default 2,000. */
  readonly iterations?: number;
  /** Steps of the memory measurement. Default 1,000. */
  readonly steps?: number;
}

const words =
  'the invoice for march lists the hosting plan the support contract and two domain renewals due next week '.split(
    ' ',
  );

/** Prose of about `bytes` characters with a value (address, IBAN, URL, amount) every few lines. */
function prose(bytes: number, seed: number): string {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += `${words[i % words.length]} `;
    if (i % 40 === 39) {
      const n = seed * 1000 + i;
      out += `billing contact billing${n}@example.org, account DE${String(10_000_000 + n).padStart(20, '0')}, `;
      out += `amount €${(n % 997) + 1}.50, details at https://portal.example.org/invoices/${n}.\n`;
    }
  }
  return out.slice(0, bytes);
}

/** A tool result of about `bytes` bytes (one text item). */
function resultOf(bytes: number, seed: number): JsonObject {
  return { content: [{ type: 'text', text: prose(bytes, seed) }] };
}

/** A `send_email` call's arguments of about 1 KB. */
function oneKbArgs(): Record<string, unknown> {
  return {
    to: 'billing17@example.org',
    subject: 'Invoice for March',
    body: prose(900, 99),
  };
}

const TOOLS = [
  {
    name: 'read_file',
    description: 'Read a text file from the workspace.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  },
  {
    name: 'send_email',
    description: 'Send an e-mail to a recipient.',
    inputSchema: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
    },
  },
];

interface Driver {
  readonly mediator: Mediator;
  call(name: string, args: Record<string, unknown>, result: JsonObject): Promise<void>;
}

/** A mediator with a no-op pipeline and one session whose server lists TOOLS and answers every call. */
async function driver(sessionId: string): Promise<Driver> {
  const mediator = createMediator({ gate: createPipeline([]) });
  const peer: PeerInfo = { sessionId, transport: { kind: 'in-process' } };
  let id = 0;
  const send = async (frame: JSONRPCMessage, answer: (m: JSONRPCMessage) => unknown): Promise<void> => {
    const routed = await mediator.fromClient(frame, peer);
    for (const m of routed.toServer) {
      const a = answer(m);
      if (a !== undefined) await mediator.fromServer(a, peer);
    }
  };
  const respond = (m: JSONRPCMessage, result: unknown): unknown => {
    const req = m as { id?: unknown; method?: string };
    return req.id === undefined ? undefined : { jsonrpc: '2.0', id: req.id, result };
  };
  await send({ jsonrpc: '2.0', id: 'list', method: 'tools/list', params: {} } as JSONRPCMessage, (m) =>
    respond(m, { tools: TOOLS }),
  );
  return {
    mediator,
    async call(name, args, result) {
      await send(
        {
          jsonrpc: '2.0',
          id: `c${++id}`,
          method: 'tools/call',
          params: { name, arguments: args },
        } as JSONRPCMessage,
        (m) => respond(m, (m as { method?: string }).method === 'tools/list' ? { tools: TOOLS } : result),
      );
    },
  };
}

/** The collector, exposed for this process if node was not started with --expose-gc. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapUsed(): Promise<number> {
  const gc = collector();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Runs the benchmark and returns its figures. */
export async function runSessionBench(options: SessionBenchOptions = {}): Promise<Record<string, unknown>> {
  const iterations = options.iterations ?? 2_000;
  const stepCount = options.steps ?? 1_000;
  const out: Record<string, unknown> = {};
  const args = oneKbArgs();
  const big = resultOf(64 * 1024, 1);
  const small = resultOf(64, 2);
  const body = { result: big };
  out['args_bytes'] = JSON.stringify(args).length;
  out['result_bytes'] = JSON.stringify(big).length;
  // The no-op baseline: an async call that does nothing, as every variant's floor on this machine.
  out['noop'] = await timeCalls(async () => undefined, iterations * 10);
  // Warm-ups sized to the work: a 64 KB judgement takes milliseconds, not microseconds.
  out['judge_result_64kb'] = await timeCalls(
    async () => judgeResult(body, 'mark'),
    Math.ceil(iterations / 4),
    Math.min(50, iterations),
  );
  const texts = judgeResult(body, 'mark').texts;
  // A ledger filled to its bounds first, so the figures are those of a long session.
  const full = new ProvenanceLedger();
  for (let i = 0; i < 200; i++) {
    const t = judgeResult({ result: resultOf(4096, 100 + i) }, 'mark').texts;
    full.record(t, { tool: 'read_file', step: i + 1, flagged: i % 10 === 0, sensitive: false });
  }
  let step = 1000;
  out['provenance_record_64kb'] = await timeCalls(
    async () => full.record(texts, { tool: 'read_file', step: ++step, flagged: false, sensitive: false }),
    Math.ceil(iterations / 4),
    50,
  );
  out['provenance_origins_1kb'] = await timeCalls(async () => full.originsOf(args), iterations, 200);
  out['ledger_stats_full'] = full.stats();
  // Through the mediator (no-op pipeline): a 1 KB call answered with 64 B, then with 64 KB.
  const d = await driver('bench');
  out['mediator_1kb_call_64b_result'] = await timeCalls(
    () => d.call('send_email', args, small),
    iterations,
    200,
  );
  out['mediator_1kb_call_64kb_result'] = await timeCalls(
    () => d.call('send_email', args, big),
    Math.ceil(iterations / 4),
    50,
  );
  await d.mediator.close();
  // Memory: one session after `stepCount` steps of ~1 KB results carrying fresh values each.
  const before = await heapUsed();
  const sessions: Driver[] = [];
  const n = 4;
  for (let s = 0; s < n; s++) {
    const m = await driver(`mem${s}`);
    for (let i = 0; i < stepCount; i++) {
      await m.call('read_file', { path: `./notes/${i}.md` }, resultOf(1024, s * 10_000 + i));
    }
    sessions.push(m);
  }
  const after = await heapUsed();
  out['memory'] = {
    steps: stepCount,
    sessions: n,
    heap_bytes_per_session: Math.round((after - before) / n),
  };
  for (const m of sessions) await m.mediator.close();
  const floor = (out['noop'] as { p50_us: number }).p50_us;
  const p50 = (k: string): number => (out[k] as { p50_us: number }).p50_us;
  out['summary'] = {
    judge_64kb_minus_noop_p50_us: round(p50('judge_result_64kb') - floor),
    record_64kb_minus_noop_p50_us: round(p50('provenance_record_64kb') - floor),
    origins_1kb_minus_noop_p50_us: round(p50('provenance_origins_1kb') - floor),
    mediator_64kb_minus_64b_p50_us: round(
      p50('mediator_1kb_call_64kb_result') - p50('mediator_1kb_call_64b_result'),
    ),
  };
  return out;
}
