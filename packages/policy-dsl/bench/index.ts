import { pathToFileURL } from 'node:url';
import type { ToolCall } from '@governed-mcp/core';
import {
  type CompiledPolicy,
  compilePolicy,
  defaultPolicy,
  type PolicyMatch,
  parsePolicy,
} from '../src/index.js';

/** Options of the policy benchmark. */
export interface PolicyBenchOptions {
  /** Timed calls per variant. Default 20,000. */
  readonly iterations?: number;
  /** Untimed calls per variant first, so the JIT has settled. Default 5,000. */
  readonly warmup?: number;
}

/** Percentiles of one variant, in microseconds per call. */
export interface Percentiles {
  readonly p50_us: number;
  readonly p99_us: number;
}

/** The benchmark's report: match cost per call, with a no-op baseline from the same run. */
export interface PolicyBenchReport {
  /** A function that returns a fixed match: what the timer itself costs. */
  readonly noop: Percentiles;
  /** The default constitution. */
  readonly default: Percentiles & { readonly rules: number };
  /** A generated policy of 1,000 rules of mixed shapes. */
  readonly rules_1000: Percentiles & { readonly rules: number; readonly compile_ms: number };
  readonly iterations: number;
  readonly node: string;
}

const call = (name: string, args: Record<string, unknown>, tier = 'standard'): ToolCall => ({
  method: 'tools/call',
  tool: { name, inputSchema: { type: 'object' } },
  arguments: args,
  principal: { id: 'bench', tier },
});

/** Ordinary calls that no rule denies, so every rule is tried: the slowest path through a policy. */
const CALLS: readonly ToolCall[] = [
  call('read_file', { path: '/home/dev/project/src/index.ts' }),
  call('run_command', { command: 'npm test -- --reporter=dot', cwd: '/home/dev/project' }),
  call('execute_sql', {
    sql: 'SELECT id, email FROM users WHERE created_at > now() - interval 1 day LIMIT 50',
  }),
  call('send_message', { channel: '#eng', text: 'Build 512 passed; deploying to staging now.' }),
  call('fetch', { url: 'https://developer.mozilla.org/en-US/docs/Web/HTTP', max_length: 5000 }),
  call('create_pull_request', {
    owner: 'acme',
    repo: 'app',
    title: 'Fix login',
    head: 'fix/login',
    base: 'main',
    body: 'x'.repeat(600),
  }),
];

/** A policy of `n` rules in five shapes: tool equality, tool globs with regexes, numbers, tiers, path globs. */
export function generatedPolicy(n: number): string {
  const out = ['default allow'];
  for (let i = 0; i < n; i++) {
    const shape = i % 5;
    const when =
      shape === 0
        ? `tool == "tool_${i}" and arg.path glob "/data/${i}/**"`
        : shape === 1
          ? `tool glob "svc${i}_*" and any string matches /secret${i}\\b/i`
          : shape === 2
            ? `arg.amount > ${i * 10} and tool in ["pay_${i}", "charge_${i}"]`
            : shape === 3
              ? `tool in ["t${i}a", "t${i}b"] and tier >= trusted`
              : `arg.path glob "**/private${i}/**" and tier < trusted`;
    out.push(
      `${shape === 3 ? 'allow' : 'deny'} rule-${i}`,
      `  when ${when}`,
      `  reason "generated rule ${i}"`,
      'end',
    );
  }
  return `${out.join('\n')}\n`;
}

function compile(source: string): CompiledPolicy {
  const parsed = parsePolicy(source, 'bench.policy');
  const compiled = parsed.ok ? compilePolicy(parsed.value) : parsed;
  if (!compiled.ok) throw new Error(`benchmark policy does not compile: ${compiled.error[0]?.message}`);
  return compiled.value;
}

function measure(match: (c: ToolCall) => PolicyMatch, iterations: number, warmup: number): Percentiles {
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += match(CALLS[i % CALLS.length]!).decision.length;
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const c = CALLS[i % CALLS.length]!;
    const t0 = process.hrtime.bigint();
    sink += match(c).decision.length;
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  if (sink === 0) throw new Error('unreachable: keeps the calls from being optimised away');
  samples.sort();
  const at = (q: number): number =>
    Number(samples[Math.min(iterations - 1, Math.floor(q * iterations))]!.toFixed(3));
  return { p50_us: at(0.5), p99_us: at(0.99) };
}

/**
 * Measures `CompiledPolicy.match` per call: the default constitution, 1,000 generated rules, and a
 * no-op baseline, in one run. Run it on compiled code (`node packages/policy-dsl/dist/bench/index.js`).
 */
export async function runPolicyBench(options: PolicyBenchOptions = {}): Promise<PolicyBenchReport> {
  const iterations = options.iterations ?? 20_000;
  const warmup = options.warmup ?? 5_000;
  const fixed: PolicyMatch = { decision: 'default' };
  const noop = measure(() => fixed, iterations, warmup);
  const constitution = defaultPolicy();
  const byDefault = measure(constitution.match, iterations, warmup);
  const t0 = performance.now();
  const big = compile(generatedPolicy(1000));
  const compileMs = Number((performance.now() - t0).toFixed(1));
  const rules1000 = measure(big.match, iterations, warmup);
  for (const c of CALLS) {
    // The benchmark is only meaningful if the calls are allowed: every rule is then tried.
    if (constitution.match(c).decision !== 'default' || big.match(c).decision !== 'default') {
      throw new Error(`benchmark call ${c.tool.name} matched a rule`);
    }
  }
  return {
    noop,
    default: { ...byDefault, rules: constitution.rules.length },
    rules_1000: { ...rules1000, rules: big.rules.length, compile_ms: compileMs },
    iterations,
    node: process.version,
  };
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(invoked).href) {
  process.stdout.write(`${JSON.stringify(await runPolicyBench(), null, 2)}\n`);
}
