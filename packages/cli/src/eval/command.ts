import { writeFile } from 'node:fs/promises';
import { isGovernedError } from '@governed-mcp/core';
import type { ProbeServerKind } from '@governed-mcp/probe';
import { loadDataset } from './dataset.js';
import { formatReport } from './format.js';
import { type ProbePrompt, parseVerbalizer } from './probe-variant.js';
import { buildReport, type EvalReport } from './report.js';
import { type CaseResult, runCases } from './run.js';
import { runSessions, type SessionResult } from './session-run.js';
import { createEvalStack, type EvalConfig } from './stack.js';

/** Options of one `governed-mcp eval` run, as parsed from the command line. */
export interface EvalCommandOptions {
  readonly dataset: string;
  readonly config: EvalConfig;
  readonly policy?: string;
  readonly model?: string;
  readonly probeUrl?: string;
  /** Which server `probeUrl` is (default `llama-server`). */
  readonly probeKind?: ProbeServerKind;
  /** The model name a vLLM server serves. */
  readonly servedModel?: string;
  readonly tier?: string;
  readonly skip?: readonly string[];
  readonly json?: boolean;
  readonly deadlineMs?: number;
  /** Evaluate every case once before measuring (default true). */
  readonly warmup?: boolean;
  /** Cases evaluated at once (default 1). */
  readonly concurrency?: number;
  /** Pass each session's task to the gate (default false: the proxy never has it). */
  readonly withTask?: boolean;
  /**
   * Also write one JSON line per judged call (case or session step) to this file: its label, whether it
   * was blocked and by whom, and the probe's scores when it ran — what offline threshold, alpha and
   * layer-combination sweeps read.
   */
  readonly scores?: string;
  /** How the probe's prompt is built (`facts`, `plain`, `few-shot`); embedded model only. */
  readonly probePrompt?: ProbePrompt;
  /** The probe's verbalizer, `SAFE/DANGEROUS`; embedded model only. */
  readonly verbalizer?: string;
  /** The probe's calibration strength and threshold for every tier (default: the tier's profile). */
  readonly probeStrictness?: { readonly alpha?: number; readonly threshold?: number };
}

/** Where the command writes; injectable for tests. */
export interface EvalIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

interface Progress {
  tick(done: number): void;
  stop(): void;
}

async function progressBar(io: EvalIo, total: number): Promise<Progress | undefined> {
  // Only on a terminal: a progress bar in a log file or a pipe is noise.
  if (io.stderr.isTTY !== true || total < 20) return undefined;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: 'eval [{bar}] {value}/{total} cases and sessions',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (done) => bar.update(done), stop: () => bar.stop() };
}

/**
 * Runs the eval command and returns its exit code: 0 when it ran, 1 for an invalid dataset, a missing
 * model or an unusable option. Never throws for user errors; prints them without stack traces.
 */
export async function runEvalCommand(options: EvalCommandOptions, io: EvalIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`governed-mcp eval: ${message}\n`);
    return 1;
  };
  if (options.model !== undefined && options.probeUrl !== undefined) {
    return fail('give either --model or --probe-url, not both');
  }
  const dataset = await loadDataset(options.dataset);
  if (!dataset.ok) {
    for (const issue of dataset.issues) {
      io.stderr.write(`${options.dataset}:${issue.line}: ${issue.message} [${issue.code}]\n`);
    }
    return fail(`${dataset.issues.length} invalid line(s) in ${options.dataset}; nothing was evaluated`);
  }
  let stack: Awaited<ReturnType<typeof createEvalStack>>;
  try {
    stack = await createEvalStack({
      config: options.config,
      ...(options.policy === undefined ? {} : { policyPath: options.policy }),
      ...(options.model === undefined ? {} : { modelPath: options.model }),
      ...(options.probeUrl === undefined ? {} : { probeUrl: options.probeUrl }),
      ...(options.probeKind === undefined ? {} : { probeKind: options.probeKind }),
      ...(options.servedModel === undefined ? {} : { servedModel: options.servedModel }),
      ...(options.tier === undefined ? {} : { tier: options.tier }),
      ...(options.skip === undefined ? {} : { skip: options.skip }),
      // A per-call deadline given on the command line is the probe's budget too.
      ...(options.deadlineMs === undefined ? {} : { probeTimeoutMs: options.deadlineMs }),
      ...(options.probePrompt === undefined ? {} : { probePrompt: options.probePrompt }),
      ...(options.verbalizer === undefined ? {} : { verbalizer: parseVerbalizer(options.verbalizer) }),
      ...(options.probeStrictness === undefined ? {} : { probeStrictness: options.probeStrictness }),
    });
  } catch (err) {
    if (isGovernedError(err)) return fail(`${err.message} [${err.code}]`);
    return fail(err instanceof Error ? err.message : String(err));
  }
  let results: CaseResult[] = [];
  let sessions: SessionResult[] = [];
  const { cases } = dataset;
  const progress = await progressBar(io, cases.length + dataset.sessions.length);
  const common = {
    defaultPrincipal: stack.defaultPrincipal,
    warmup: options.warmup !== false,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  };
  try {
    if (cases.length > 0) {
      results = await runCases(stack.pipeline, cases, {
        ...common,
        onCase: (_r, done) => progress?.tick(done),
      });
    }
    if (dataset.sessions.length > 0) {
      // Each session is replayed through the real mediator, as the proxy would see it.
      sessions = await runSessions(stack.pipeline, dataset.sessions, {
        ...common,
        settings: stack.settings,
        withTask: options.withTask === true,
        onSession: (_r, done) => progress?.tick(cases.length + done),
      });
    }
  } catch (err) {
    // A replay that cannot go on is a harness failure, not a verdict: nothing is reported.
    return fail(`the evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    progress?.stop();
    await stack.close();
  }
  const report: EvalReport = buildReport(
    results,
    {
      dataset: options.dataset,
      config: options.config,
      layers: stack.layers,
      skippedLayers: options.skip ?? [],
      warmup: options.warmup !== false,
      concurrency: options.concurrency ?? 1,
      principals: 'fresh-per-case',
      tier: stack.defaultPrincipal.tier,
    },
    sessions,
    options.withTask === true,
  );
  if (options.scores !== undefined) {
    try {
      await writeFile(options.scores, scoreLines(results, sessions));
    } catch (err) {
      return fail(`cannot write --scores ${options.scores}: ${(err as Error).message}`);
    }
  }
  if (options.json === true) io.stdout.write(`${JSON.stringify(report)}\n`);
  else io.stdout.write(formatReport(report, { color: (io.stdout as { isTTY?: boolean }).isTTY === true }));
  return 0;
}

/** One JSON line per judged call: identity, label, the gate's answer and the probe's scores. */
export function scoreLines(results: readonly CaseResult[], sessions: readonly SessionResult[]): string {
  const all = [...results, ...sessions.flatMap((s) => s.steps)];
  return all
    .map((r) =>
      JSON.stringify({
        id: r.id,
        label: r.label,
        category: r.category,
        blocked: r.blocked,
        ...(r.asked === true ? { asked: true } : {}),
        ...(r.withheld === true ? { withheld: true } : {}),
        ...(r.layer === undefined ? {} : { layer: r.layer }),
        ...(r.code === undefined ? {} : { code: r.code }),
        ...(r.probe === undefined ? {} : { probe: r.probe }),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}
