import { type Command, Option } from 'commander';
import { ExitCode } from '../exit-codes.js';

type Figures = Record<string, unknown>;

import { PROBE_SERVER_KINDS as SERVER_KINDS } from '@governed-mcp/probe';

interface ProbeBenchFlags {
  json?: boolean;
  model?: string;
  probeUrl?: string;
  probeKind?: (typeof SERVER_KINDS)[number];
  probeModel?: string;
  threads?: number;
  gpu?: boolean;
  rounds?: number;
}

function print(figures: Figures, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const lines: string[] = [];
  const walk = (value: unknown, indent: string, key: string): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      lines.push(`${indent}${key}`);
      for (const [k, v] of Object.entries(value)) walk(v, `${indent}  `, k);
    } else {
      lines.push(`${indent}${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  };
  for (const [k, v] of Object.entries(figures)) walk(v, '', k);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs a benchmark module as its own process (same Node flags) and parses the JSON it prints. */
async function inFreshProcess(moduleUrl: string, options: object): Promise<Figures> {
  const { execFile } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, fileURLToPath(moduleUrl), JSON.stringify(options)],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout) as Figures);
      },
    );
  });
}

async function run(what: () => Promise<Figures>, json: boolean): Promise<void> {
  try {
    print(await what(), json);
  } catch (err) {
    process.stderr.write(`governed-mcp bench: ${(err as Error).message}\n`);
    // A --model name the cache does not hold is a usage error, like any other bad option value.
    process.exitCode =
      (err as { code?: unknown }).code === 'unknown_model' ? ExitCode.Usage : ExitCode.Failed;
  }
}

/** `bench pipeline|probe|session|proxy|peers [--json]`: each benchmark with its baseline measured in the same run. */
export function register(program: Command): void {
  const bench = program.command('bench').description('Measure the gate on this machine (JSON with --json)');
  bench
    .command('pipeline')
    .description('pipeline overhead, the deterministic layers, audit append and verify throughput')
    .option('--json', 'print one JSON object')
    .option('--quick', 'fewer iterations and a smaller verify file (for smoke tests)')
    .action(async (opts: { json?: boolean; quick?: boolean }) =>
      run(async () => {
        const { runLayersBench } = await import('@governed-mcp/core/bench');
        const { runPolicyBench } = await import('@governed-mcp/policy-dsl/bench');
        const { runDeterministicBench } = await import('../../../bench/deterministic.js');
        const quick = opts.quick === true;
        const n = quick ? { iterations: 2000 } : {};
        // The pipeline's own overhead is measured in a fresh process: a heap holding every other
        // benchmark's modules makes a 2 µs figure noticeably noisier.
        const core = await inFreshProcess(
          import.meta.resolve('@governed-mcp/core/bench').replace(/index\.(js|ts)$/, 'pipeline.$1'),
          quick ? { ...n, appends: 500, verifyRecords: 2000 } : {},
        );
        const deterministic = await runDeterministicBench(n);
        // The four core layers alone, and the policy match alone (default constitution, 1,000 rules).
        const layers = await runLayersBench(n);
        const policy = await runPolicyBench(quick ? { iterations: 2000, warmup: 500 } : {});
        return { ...core, ...deterministic, four_layers: layers, policy_match: policy };
      }, opts.json === true),
    );
  bench
    .command('probe')
    .description('ProbeLogits against a bare forward pass, a cold prefix and Llama Guard style generation')
    .option('--json', 'print one JSON object')
    .addOption(
      new Option(
        '--model <gguf|name>',
        'a real GGUF model, a file or a name from `model list` (default: the tiny random-weight model the project writes)',
      ).conflicts('probeUrl'),
    )
    .option('--probe-url <url>', 'measure through an inference server instead of the embedded model')
    .addOption(
      new Option('--probe-kind <kind>', 'the server at --probe-url (default: llama-server)').choices(
        SERVER_KINDS,
      ),
    )
    .option('--probe-model <name>', 'the served model name (a vLLM server needs it)')
    .option('--threads <n>', 'threads per evaluation', (v) => Number.parseInt(v, 10))
    .option('--gpu', 'use a GPU when there is one')
    .option('--rounds <n>', 'timed rounds per variant', (v) => Number.parseInt(v, 10))
    .action(async (opts: ProbeBenchFlags) => {
      if (opts.probeUrl === undefined && (opts.probeKind !== undefined || opts.probeModel !== undefined)) {
        process.stderr.write('governed-mcp bench: --probe-kind and --probe-model need --probe-url\n');
        process.exitCode = ExitCode.Usage;
        return;
      }
      if (opts.probeKind === 'vllm' && opts.probeModel === undefined) {
        process.stderr.write(
          'governed-mcp bench: a vLLM server needs its served model name (--probe-model)\n',
        );
        process.exitCode = ExitCode.Usage;
        return;
      }
      await run(async () => {
        const rounds = opts.rounds === undefined ? {} : { rounds: opts.rounds };
        if (opts.probeUrl !== undefined) {
          const { runServerProbeBench } = await import('@governed-mcp/probe/bench');
          return runServerProbeBench({
            url: opts.probeUrl,
            ...(opts.probeKind === undefined ? {} : { kind: opts.probeKind }),
            ...(opts.probeModel === undefined ? {} : { model: opts.probeModel }),
            ...rounds,
          });
        }
        const { runProbeBench } = await import('@governed-mcp/probe/bench');
        const { resolveModelPath } = await import('../../models/resolve.js');
        const model = opts.model === undefined ? undefined : resolveModelPath(opts.model);
        return runProbeBench({
          ...(model === undefined ? {} : { model }),
          ...(opts.threads === undefined ? {} : { threads: opts.threads }),
          ...(opts.gpu === true ? { gpu: true } : {}),
          ...rounds,
        });
      }, opts.json === true);
    });
  bench
    .command('session')
    .description('cost of response-path judgement and value provenance, and memory per session')
    .option('--json', 'print one JSON object')
    .option('--quick', 'fewer iterations and a shorter session (for smoke tests)')
    .action(async (opts: { json?: boolean; quick?: boolean }) =>
      run(async () => {
        const { runSessionBench } = await import('../../../bench/session.js');
        return { ...(await runSessionBench(opts.quick === true ? { iterations: 100, steps: 100 } : {})) };
      }, opts.json === true),
    );
  bench
    .command('proxy')
    .description('added latency of the runner against a direct connection, stdio and HTTP')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) =>
      run(async () => {
        const { runProxyBench } = await import('../../../bench/index.js');
        return { ...(await runProxyBench()) };
      }, opts.json === true),
    );
  bench
    .command('peers')
    .description(
      'the governed proxy against the MCP bridges and the gate against the Agent Governance Toolkit, whichever are installed',
    )
    .option('--json', 'print one JSON object')
    .option('--rounds <n>', 'rounds per figure, reported as median, min and max (default 5)', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--quick', 'one round with few calls (for smoke tests)')
    .option(
      '--without <peers>',
      'comma-separated peers to treat as not installed (supergateway, mcp-proxy, @microsoft/agent-governance-sdk)',
    )
    .action(async (opts: { json?: boolean; rounds?: number; quick?: boolean; without?: string }) => {
      const { PEER_NAMES, runPeersBench } = await import('../../../bench/index.js');
      const without = opts.without === undefined ? [] : opts.without.split(',').map((s) => s.trim());
      const unknown = without.filter((p) => !(PEER_NAMES as readonly string[]).includes(p));
      const badRounds = opts.rounds !== undefined && !(Number.isInteger(opts.rounds) && opts.rounds > 0);
      if (unknown.length > 0 || badRounds) {
        process.stderr.write(
          `governed-mcp bench: ${
            badRounds
              ? 'invalid_rounds: --rounds takes a positive integer'
              : `unknown_peer: ${unknown.join(', ')} (known: ${PEER_NAMES.join(', ')})`
          }\n`,
        );
        process.exitCode = ExitCode.Usage;
        return;
      }
      await run(
        async () => ({
          ...(await runPeersBench({
            without,
            ...(opts.quick === true ? { quick: true } : {}),
            ...(opts.rounds === undefined ? {} : { rounds: opts.rounds }),
          })),
        }),
        opts.json === true,
      );
    });
}
