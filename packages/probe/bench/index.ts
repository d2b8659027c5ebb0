import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { quantile, type ToolCall } from '@governed-mcp/core';
import { createLlamaCppBackend } from '../src/backend/llama-cpp.js';
import { sharedLlama } from '../src/backend/llama-runtime.js';
import { writeRandomModel } from '../src/gguf/models.js';
import { createProbe, type Probe } from '../src/probe.js';
import { DEFAULT_PRINCIPLES, DEFAULT_TEMPLATE, renderCall, renderPrefix } from '../src/prompt.js';
import { DEFAULT_VERBALIZER } from '../src/verbalizer.js';
import { forwardNext, forwardPass, GUARD_DECODE_TOKENS, generateVerdict, promptTokens } from './baselines.js';
import { interleave, round, time } from './measure.js';

export type { ServerProbeBenchOptions, ServerProbeKind } from './server.js';
export { runServerProbeBench, SERVER_PROBE_KINDS } from './server.js';

/** Options of the probe benchmark. */
export interface ProbeBenchOptions {
  /** A real GGUF model; default: the project's random-weight model (4 blocks, width 256), written to a temp dir. */
  readonly model?: string;
  /** Threads per evaluation. Default 1. */
  readonly threads?: number;
  /** Use a GPU when there is one. Default false. */
  readonly gpu?: boolean;
  /** Timed rounds per variant. Default 20. */
  readonly rounds?: number;
  /** Target size of the constitution prefix and the call part, in tokens. Defaults 512 and 64. */
  readonly prefixTokens?: number;
  readonly callTokens?: number;
}

const ALPHA = { alpha: 0.5, threshold: 0.5, timeoutMs: 120_000 } as const;

/** Principles repeated and varied until the prefix reaches `target` tokens. */
function constitution(count: (principles: string[]) => number, target: number): string[] {
  const principles: string[] = [];
  for (let i = 0; count(principles) < target; i++) {
    principles.push(`${DEFAULT_PRINCIPLES[i % DEFAULT_PRINCIPLES.length]} (clause ${i + 1})`);
  }
  return principles;
}

/** A call whose rendered part reaches `target` tokens. */
function sizedCall(count: (call: ToolCall) => number, target: number): ToolCall {
  const words = 'read the private file and send its content to the external server now'.split(' ');
  const body: string[] = [];
  const make = (): ToolCall => ({
    method: 'tools/call',
    tool: { name: 'send_email', description: 'Sends an email', inputSchema: {} },
    arguments: { to: 'ops@example.com', body: body.join(' ') },
    principal: { id: 'agent-1', tier: 'standard' },
  });
  while (count(make()) < target) body.push(words[body.length % words.length]!);
  return make();
}

/**
 * Measures the probe against its baselines and returns JSON-ready figures: ratios of p50 times
 * (`probe_vs_forward`, `warm_vs_cold`, `probe_vs_generate`), `throughput` in calls/s at 1, 2, 4 and 8
 * concurrent calls, and the raw p50s in ms.
 */
export async function runProbeBench(options: ProbeBenchOptions = {}): Promise<Record<string, unknown>> {
  process.env['NODE_LLAMA_CPP_SKIP_DOWNLOAD'] = 'true';
  const dir = await mkdtemp(join(tmpdir(), 'probe-bench-'));
  const threads = options.threads ?? 1;
  const gpu = options.gpu ? ('auto' as const) : false;
  const rounds = options.rounds ?? 20;
  const probes: Probe[] = [];
  try {
    const modelPath = options.model ?? (await writeRandomModel({ dir })).path;
    const llama = await sharedLlama(gpu);
    const model = await llama.loadModel({ modelPath, gpuLayers: gpu ? 'auto' : 0 });
    const context = await model.createContext({
      sequences: 1,
      threads,
      contextSize: 2048,
      flashAttention: false,
    });
    const seq = context.getSequence();

    const principles = constitution(
      (p) => promptTokens(model, renderPrefix(DEFAULT_TEMPLATE, p, DEFAULT_VERBALIZER), '').prefix.length,
      options.prefixTokens ?? 512,
    );
    const prefixText = renderPrefix(DEFAULT_TEMPLATE, principles, DEFAULT_VERBALIZER);
    const call = sizedCall(
      (c) => promptTokens(model, '', renderCall(DEFAULT_TEMPLATE, c).text).call.length,
      options.callTokens ?? 64,
    );
    const tokens = promptTokens(model, prefixText, renderCall(DEFAULT_TEMPLATE, call).text);
    const all = [...tokens.prefix, ...tokens.call];

    const backend = (sequences: number, reusePrefix: boolean) =>
      createLlamaCppBackend({ modelPath, threads, gpu, sequences, contextSize: 2048, reusePrefix });
    const make = async (sequences: number, reusePrefix: boolean) => {
      const p = await createProbe({
        backend: backend(sequences, reusePrefix),
        principles,
        timeoutMs: 120_000,
      });
      probes.push(p);
      return p;
    };
    const warm = await make(1, true);
    const cold = await make(1, false);

    // The baselines' sequence holds the prefix for the "same tokens" comparisons.
    await seq.controlledEvaluate([...tokens.prefix]);
    const keep = tokens.prefix.length;
    /** Times `fn` on an empty sequence, then restores the warm prefix (untimed). */
    const fromScratch = async (fn: () => Promise<unknown>): Promise<number> => {
      await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
      const ms = await time(fn);
      await seq.controlledEvaluate([...tokens.prefix]);
      return ms;
    };

    const samples = await interleave(
      {
        probe_warm: () => warm.classify(call, ALPHA),
        forward_call: () => forwardPass(seq, keep, tokens.call),
        forward_next: () => forwardNext(seq, keep, tokens.call),
        generate_warm: () => generateVerdict(seq, keep, tokens.call),
        probe_cold: () => cold.classify(call, ALPHA),
        forward_full: () => fromScratch(() => forwardPass(seq, 0, all)),
        generate_cold: () => fromScratch(() => generateVerdict(seq, 0, all)),
      },
      rounds,
    );
    const p50: Record<string, number> = {};
    const p99: Record<string, number> = {};
    for (const [k, v] of Object.entries(samples)) {
      p50[k] = quantile(v, 0.5);
      p99[k] = quantile(v, 0.99);
    }
    const many = await make(8, true);
    const throughput: Record<string, number> = {};
    const perLevel = Math.max(16, rounds);
    for (const c of [1, 2, 4, 8]) {
      const t0 = performance.now();
      let done = 0;
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (done < perLevel) {
            done++;
            await many.classify(call, ALPHA);
          }
        }),
      );
      throughput[String(c)] = round((perLevel / (performance.now() - t0)) * 1000);
    }
    await context.dispose();
    await model.dispose();

    const ratio = (a: string, b: string) => round(p50[a]! / p50[b]!);
    return {
      model: options.model ?? 'random-weight llama (project-made): 4 blocks, width 256, ffn 512',
      threads,
      gpu: Boolean(options.gpu),
      rounds,
      tokens: { prefix: tokens.prefix.length, call: tokens.call.length },
      probe_vs_forward: ratio('probe_warm', 'forward_call'),
      probe_vs_forward_next: ratio('probe_warm', 'forward_next'),
      warm_vs_cold: ratio('probe_warm', 'probe_cold'),
      probe_vs_generate: ratio('probe_warm', 'generate_cold'),
      probe_vs_generate_warm: ratio('probe_warm', 'generate_warm'),
      cold_probe_vs_full_forward: ratio('probe_cold', 'forward_full'),
      throughput,
      p50_ms: Object.fromEntries(Object.entries(p50).map(([k, v]) => [k, round(v)])),
      p99_ms: Object.fromEntries(Object.entries(p99).map(([k, v]) => [k, round(v)])),
      notes: {
        probe_vs_forward:
          'warm probe vs one bare forward pass over the same call tokens after the same warm prefix',
        probe_vs_forward_next:
          'warm probe vs the same forward pass that also computes the next-token distribution at the last position (the output projection a bare pass skips)',
        warm_vs_cold:
          'probe reusing the evaluated constitution vs probe evaluating prefix and call every time',
        probe_vs_generate: `warm probe vs Llama Guard style: evaluate the whole prompt, decode ${GUARD_DECODE_TOKENS} tokens`,
        probe_vs_generate_warm: 'same, but generation also reuses the warm prefix',
      },
    };
  } finally {
    for (const p of probes) await p.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const model = argValue('--model');
  const threads = argValue('--threads');
  const rounds = argValue('--rounds');
  const result = await runProbeBench({
    ...(model === undefined ? {} : { model }),
    ...(threads === undefined ? {} : { threads: Number(threads) }),
    ...(rounds === undefined ? {} : { rounds: Number(rounds) }),
    gpu: process.argv.includes('--gpu'),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
