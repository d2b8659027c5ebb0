import {
  AuditChain,
  blake3Hex,
  blake3HexPortable,
  blake3Ready,
  createGate,
  createMemorySink,
  createPipeline,
  DEFAULT_SETTINGS,
  type ToolCall,
} from '@governed-mcp/core';
import { isMain, round, timeCalls } from '@governed-mcp/core/bench';
import { assembleLayers } from '@governed-mcp/middleware-mcp';

/** Options of the deterministic-layers benchmark. */
export interface DeterministicBenchOptions {
  /** Calls per variant. Default 50k. */
  readonly iterations?: number;
}

/** The default tiers with rate limits generous enough that a loop measures the allowed path, not denials. */
export const benchSettings = {
  tiers: DEFAULT_SETTINGS.tiers.map((t) => ({
    ...t,
    rateLimit: {
      perPrincipalTool: { capacity: 1e9, refillPerSec: 1e9 },
      perPrincipal: { capacity: 1e9, refillPerSec: 1e9 },
      maxConcurrent: 1024,
    },
  })),
};

const words =
  'the build step writes its bundle into dist and the tests read fixtures from the repository '.split(' ');

/** A realistic `write_file` call whose arguments serialize to about `bytes` bytes of JSON. */
export function writeFileCall(bytes: number, path = './docs/notes/build.md'): ToolCall {
  let content = '';
  for (let i = 0; JSON.stringify(content).length < bytes - 40; i++) content += `${words[i % words.length]} `;
  return {
    method: 'tools/call',
    tool: {
      name: 'write_file',
      description: 'Create a new file or overwrite an existing file with new content.',
      inputSchema: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
        additionalProperties: false,
      },
      annotations: { destructiveHint: true },
    },
    arguments: { path, content },
    principal: { id: 'agent-1', tier: 'trusted' },
  };
}

/** Heap bytes allocated per call, estimated from heap growth over a GC-free window of calls. */
async function heapPerCall(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i++) await fn();
  return Math.max(0, Math.round((process.memoryUsage().heapUsed - before) / calls));
}

/**
 * One `tools/call` through the five non-inference layers (schema, tier, rate limit, pre-filter, policy
 * with the default constitution) plus the audit append, in process, beside an empty pipeline in the
 * same run. Arguments of ~100 B, 1 KB and 10 KB.
 */
export async function runDeterministicBench(
  options: DeterministicBenchOptions = {},
): Promise<Record<string, unknown>> {
  const iterations = options.iterations ?? 50_000;
  const layers = await assembleLayers({ settings: benchSettings, configuration: 'no-probe' });
  const audit = new AuditChain(createMemorySink(), { durability: 'none' });
  const gate = createGate({ pipeline: createPipeline(layers), audit });
  const noop = createPipeline([]);
  const result: Record<string, unknown> = { layers: layers.map((l) => l.name) };
  for (const [name, bytes] of [
    ['100b', 100],
    ['1kb', 1024],
    ['10kb', 10_240],
  ] as const) {
    const call = writeFileCall(bytes);
    const check = await gate.check(call);
    if (check.decision.outcome !== 'allow') {
      throw new Error(
        `deterministic bench: the benign ${name} call was denied: ${JSON.stringify(check.decision.reasons)}`,
      );
    }
    const n = bytes > 5000 ? Math.ceil(iterations / 5) : iterations;
    const timed = await timeCalls(() => gate.check(call), n);
    result[`deterministic_${name}`] = {
      ...timed,
      heap_bytes_per_call: await heapPerCall(() => gate.check(call), 2000),
    };
    if (name === '1kb') result['noop'] = await timeCalls(() => noop.evaluate(call), iterations);
    // Drain the audit's background serialization so it does not bleed into the next variant.
    await audit.flush();
  }
  // Issue 3's variant: the four layers without the policy, plus the audit append, on the 1 KB call. The
  // append defers serialization and hashing off the call's path; their CPU per record is reported apart.
  const four = createGate({
    pipeline: createPipeline(layers.filter((l) => l.name !== 'policy')),
    audit: new AuditChain(createMemorySink(), { durability: 'none' }),
  });
  const oneKbCall = writeFileCall(1024);
  result['four_layers_audit_1kb'] = await timeCalls(() => four.check(oneKbCall), iterations);
  const chain = new AuditChain(createMemorySink(), { durability: 'none' });
  const records = Math.min(iterations, 20_000);
  const hashing = createGate({ pipeline: noop, audit: chain });
  for (let i = 0; i < records; i++) await hashing.check(oneKbCall);
  const started = performance.now();
  await chain.flush();
  result['audit_hash_cpu_us_per_record_1kb'] = round(((performance.now() - started) * 1000) / records);
  // The chain's Blake3 alone on a record-sized text, fast (WebAssembly) against portable, same run.
  await blake3Ready();
  const text = JSON.stringify({ seq: 1, call: oneKbCall, prev: '0'.repeat(64) });
  const hashUs = (hex: (t: string) => string): number => {
    const n = Math.min(iterations, 20_000);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) hex(text);
    return round(((performance.now() - t0) * 1000) / n);
  };
  hashUs(blake3Hex); // warm-up
  const portable = hashUs(blake3HexPortable);
  const fast = hashUs(blake3Hex);
  result['blake3_record_us'] = {
    bytes: text.length,
    fast,
    portable,
    portable_vs_fast: round(portable / fast),
  };
  const noopP50 = (result['noop'] as { p50_us: number }).p50_us;
  const oneKb = result['deterministic_1kb'] as { p50_us: number };
  result['deterministic_1kb_minus_noop_p50_us'] = round(oneKb.p50_us - noopP50);
  return result;
}

if (isMain(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await runDeterministicBench(), null, 2)}\n`);
}
