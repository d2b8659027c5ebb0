import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditChain,
  type CallContext,
  createGate,
  createMemorySink,
  createPipeline,
  type Decision,
  type Durability,
  defineLayer,
  type Layer,
  type ToolCall,
} from '../src/index.js';
import { openAuditLog, verifyAuditFile } from '../src/node.js';
import { isMain, round, timeCalls } from './stats.js';

/** Options of the core pipeline benchmark. */
export interface PipelineBenchOptions {
  /** Calls per pipeline variant. Default 100k. */
  readonly iterations?: number;
  /** Records appended per durability mode. Default 20k. */
  readonly appends?: number;
  /** Records in the file the verifier reads. Default 1M. */
  readonly verifyRecords?: number;
}

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'read_file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
  arguments: { path: './src/main.ts' },
  principal: { id: 'agent-1', tier: 'standard' },
};

const trivial = (i: number): Layer => defineLayer(`trivial-${i}`, async (_ctx, next) => next());

/**
 * A bare onion compose with none of the gate's checks (no fail-closed detection, verdicts, timings or
 * deadline): the reference for what the fail-closed bookkeeping costs.
 */
function bareCompose(fns: readonly Layer['intercept'][]): (ctx: CallContext) => Promise<Decision> {
  const end: Promise<Decision> = Promise.resolve({ outcome: 'allow', reasons: [] });
  return (ctx) => {
    const step = (i: number): Promise<Decision> => (i >= fns.length ? end : fns[i]!(ctx, () => step(i + 1)));
    return step(0);
  };
}

/** A decision record of realistic size (~600 bytes on disk). */
function decisionData(i: number): object {
  return {
    call: {
      method: 'tools/call',
      tool: 'read_file',
      principal: { id: 'agent-1', tier: 'standard' },
      requestId: i,
      argsDigest: `blake3:${'ab'.repeat(32)}`,
    },
    decision: {
      outcome: 'allow',
      reasons: [{ layer: 'probe', code: 'probe_safe', data: { pRaw: 0.12, pCalibrated: 0.08 } }],
    },
    layers: ['schema', 'tier', 'rate-limit', 'prefilter', 'policy', 'probe'].map((layer) => ({
      layer,
      verdict: 'pass',
      us: 3,
    })),
    elapsedUs: 21,
  };
}

async function appendThroughput(dir: string, durability: Durability, records: number): Promise<object> {
  const path = join(dir, `append-${durability}.jsonl`);
  const log = await openAuditLog(path, { durability });
  // 64 concurrent appenders, as a busy gateway would have calls in flight.
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < records) await log.append('decision', decisionData(next++));
    }),
  );
  await log.close();
  const seconds = (performance.now() - started) / 1000;
  // One append awaited at a time: the latency a single call sees.
  const solo = await openAuditLog(join(dir, `solo-${durability}.jsonl`), { durability });
  let i = 0;
  const latency = await timeCalls(
    () => solo.append('decision', decisionData(i++)),
    Math.min(2000, records),
    100,
  );
  await solo.close();
  return {
    records_per_s: Math.round(records / seconds),
    append_p50_us: latency.p50_us,
    append_p99_us: latency.p99_us,
  };
}

/** A write_file call with `bytes` of prose arguments, each with its own request id. */
function proseCall(bytes: number, requestId: number): ToolCall {
  const words = 'the build step writes its bundle into dist and the tests read fixtures from the repository ';
  const content = words.repeat(Math.ceil(bytes / words.length)).slice(0, bytes - 40);
  return {
    method: 'tools/call',
    tool: { name: 'write_file', inputSchema: { type: 'object' } },
    arguments: { path: './docs/notes/build.md', content },
    principal: { id: 'agent-1', tier: 'trusted' },
    requestId,
  };
}

/**
 * Decision records of calls with 1 KB of arguments (their digest computed, as the gate records them)
 * appended by 64 concurrent callers through a gate with an empty pipeline: records per second.
 */
async function gateAppendThroughput(dir: string, durability: Durability, records: number): Promise<object> {
  const log = await openAuditLog(join(dir, `gate-${durability}.jsonl`), { durability });
  const gate = createGate({ pipeline: createPipeline([]), audit: log });
  const calls = Array.from({ length: 64 }, (_, i) => proseCall(1024, i));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    calls.map(async (c) => {
      while (next++ < records) {
        const checked = await gate.check(c);
        if (checked.audit === undefined) throw new Error('gate append bench: a record was not written');
      }
    }),
  );
  await log.close();
  return { records_per_s: Math.round(records / ((performance.now() - started) / 1000)) };
}

async function verifyThroughput(dir: string, records: number): Promise<object> {
  const path = join(dir, 'verify.jsonl');
  const log = await openAuditLog(path, { durability: 'none' });
  for (let i = 1; i < records; i++) {
    void log.append('decision', decisionData(i));
    if (i % 10_000 === 0) await log.flush();
  }
  await log.close();
  const bytes = statSync(path).size;
  const rss0 = process.memoryUsage().rss;
  const started = performance.now();
  const report = await verifyAuditFile(path);
  const seconds = (performance.now() - started) / 1000;
  if (!report.ok || report.records !== records)
    throw new Error(`verify bench: unexpected report ${JSON.stringify(report)}`);
  return {
    records,
    mb: round(bytes / 1e6, 1),
    seconds: round(seconds, 2),
    records_per_s: Math.round(records / seconds),
    rss_growth_mb: round((process.memoryUsage().rss - rss0) / 1e6, 1),
  };
}

/**
 * The core benchmark: pipeline overhead per call with 0 and 6 trivial layers (with and without
 * per-layer timings), audit append throughput and latency per durability mode, and verify throughput.
 */
export async function runPipelineBench(options: PipelineBenchOptions = {}): Promise<Record<string, unknown>> {
  const iterations = options.iterations ?? 100_000;
  const noop = createPipeline([]);
  const six = createPipeline([0, 1, 2, 3, 4, 5].map(trivial));
  const sixUntimed = createPipeline([0, 1, 2, 3, 4, 5].map(trivial), { timings: 'off' });
  const bare = bareCompose([0, 1, 2, 3, 4, 5].map((i) => trivial(i).intercept));
  const memoryChain = new AuditChain(createMemorySink(), { durability: 'none' });
  const result: Record<string, unknown> = {
    noop: await timeCalls(() => noop.evaluate(call), iterations),
    trivial_6: await timeCalls(() => six.evaluate(call), iterations),
    trivial_6_untimed: await timeCalls(() => sixUntimed.evaluate(call), iterations),
    bare_compose_6: await timeCalls(() => bare({} as CallContext), iterations),
    audit_append_memory: await timeCalls(async () => {
      await memoryChain.append('decision', decisionData(0));
    }, iterations),
  };
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-bench-'));
  try {
    const appends = options.appends ?? 20_000;
    const audit: Record<string, object> = {};
    for (const mode of ['fsync', 'group', 'write', 'none'] as const)
      audit[mode] = await appendThroughput(dir, mode, appends);
    result['audit_append'] = audit;
    const gateAppends: Record<string, object> = {};
    for (const mode of ['fsync', 'write', 'none'] as const)
      gateAppends[mode] = await gateAppendThroughput(dir, mode, appends);
    result['audit_append_1kb'] = gateAppends;
    result['verify'] = await verifyThroughput(dir, options.verifyRecords ?? 1_000_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (isMain(import.meta.url)) {
  // Optional argument: the options as JSON (used by `governed-mcp bench pipeline` to run this in a fresh process).
  const options = process.argv[2] === undefined ? {} : (JSON.parse(process.argv[2]) as PipelineBenchOptions);
  process.stdout.write(`${JSON.stringify(await runPipelineBench(options), null, 2)}\n`);
}
