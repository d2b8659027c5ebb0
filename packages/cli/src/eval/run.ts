import {
  classifyTool,
  type Evaluation,
  type LayerTrace,
  type Pipeline,
  type Principal,
  type ToolCall,
} from '@governed-mcp/core';
import type { EvalCase, Label } from './dataset.js';

/** What the gate did with one case. */
export interface CaseResult {
  readonly id: string;
  readonly label: Label;
  readonly category: string;
  /** True when the decision was anything but allow. */
  readonly blocked: boolean;
  /** The layer that decided a block (`pipeline` for a malformed call or a deadline); absent on allow. */
  readonly layer?: string;
  /** The deny code; absent on allow. */
  readonly code?: string;
  /** The deciding reason's message for people, clipped. */
  readonly detail?: string;
  /** `detector/code` of each finding the deciding reason carries in `data.findings`, if any. */
  readonly findings?: readonly string[];
  /** Set when the block came from an evaluation failure (fail-closed), not a detector. */
  readonly failure?: true;
  /** Set when the gate answered *ask* (a person decides); such a case counts as blocked. */
  readonly asked?: true;
  /** Set when the call was allowed and ran but the response path withheld its result (session steps). */
  readonly withheld?: true;
  /** The pipeline's total time for this case, in microseconds. */
  readonly elapsedUs: number;
  readonly trace: readonly LayerTrace[];
  /** The semantic layer's scores of this call, when it ran and reported them. */
  readonly probe?: ProbeScores;
}

/** What the probe measured for one call (its evidence in the decision), for ROC AUC and offline sweeps. */
export interface ProbeScores {
  /** The deciding question (`danger`, or `task` when the call carried the user's task). */
  readonly question: string;
  /** Raw probability of the dangerous label, renormalized over the two labels. */
  readonly pRaw: number;
  /** After calibration with the run's alpha: the score AUC is computed on. */
  readonly pCalibrated: number;
  /** The content-free probability of the dangerous label the probe calibrated with. */
  readonly pContentFree: number;
  readonly alpha: number;
  readonly threshold: number;
}

/** Options of an evaluation run. */
export interface RunOptions {
  /** The principal of cases that name none. */
  readonly defaultPrincipal: Principal;
  /**
   * Gives each case its own principal id (`<id>#<case id>`, same tier) so that rate limits, which count
   * per principal, never turn one case's budget into another case's deny. Default true.
   */
  readonly freshPrincipal?: boolean;
  /** Called after each case, e.g. to advance a progress bar. */
  readonly onCase?: (result: CaseResult, done: number, total: number) => void;
  /** Per-call deadline override in ms (the pipeline's own deadline otherwise). */
  readonly deadlineMs?: number;
  /**
   * Evaluates every case once, unrecorded and under other principal ids, before the measured pass, so
   * that one-off costs (schema compilation, caches) do not pose as per-call latency. Decisions are the
   * same either way: every layer is stateless per call except rate limits, which count per principal.
   */
  readonly warmup?: boolean;
  /** Cases evaluated at once (default 1). */
  readonly concurrency?: number;
}

const EVAL_TRANSPORT = { kind: 'eval' } as const;
const MAX_DETAIL = 200;

/** Reads `data.findings[].detector/code`, the evidence convention of detector layers. */
function findingsOf(data: unknown): string[] | undefined {
  const list = (data as { findings?: unknown } | undefined)?.findings;
  if (!Array.isArray(list)) return undefined;
  const out: string[] = [];
  for (const f of list as { detector?: unknown; code?: unknown }[]) {
    if (typeof f?.detector === 'string')
      out.push(typeof f.code === 'string' ? `${f.detector}/${f.code}` : f.detector);
  }
  return out.length > 0 ? out : undefined;
}

const isUnit = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;

/** The probe's scores from the `probe` layer's reason in a decision, if it scored the call. */
export function probeScoresOf(ev: Evaluation): ProbeScores | undefined {
  const reason = ev.decision.reasons.find((r) => r.layer === 'probe' && r.data !== undefined);
  const d = reason?.data as Record<string, unknown> | undefined;
  if (d === undefined) return undefined;
  const { pRaw, pCalibrated, pContentFree, alpha, threshold, question } = d;
  if (!isUnit(pRaw) || !isUnit(pCalibrated) || !isUnit(pContentFree)) return undefined;
  if (!isUnit(alpha) || !isUnit(threshold)) return undefined;
  const q = typeof question === 'string' ? question : 'danger';
  return { question: q, pRaw, pCalibrated, pContentFree, alpha, threshold };
}

/** The deciding layer of a block: the layer whose own verdict was not a pass-through. */
function decider(trace: readonly LayerTrace[], fallback: string | undefined): string {
  const own = trace.find(
    (t) => t.verdict === 'deny' || t.verdict === 'ask' || t.verdict === 'error' || t.verdict === 'timeout',
  );
  return own?.layer ?? fallback ?? 'pipeline';
}

/** The `tools/call` a case stands for. */
export function toCall(c: EvalCase, options: RunOptions, pass = ''): ToolCall {
  const base = c.principal ?? options.defaultPrincipal;
  const principal =
    options.freshPrincipal === false ? base : { id: `${base.id}#${c.id}${pass}`, tier: base.tier };
  return {
    method: 'tools/call',
    tool: c.tool,
    arguments: c.arguments,
    principal,
    requestId: c.id,
    transport: EVAL_TRANSPORT,
    // The tool's capability classes, as the proxy infers them when it lists the tools.
    capabilities: classifyTool(c.tool),
  };
}

/** The identity of a judged call: a single-call case, or one step of a session. */
export interface JudgedCall {
  readonly id: string;
  readonly label: Label;
  readonly category: string;
}

/** What the gate's evaluation of one call means for the report: allowed, or blocked by whom and why. */
export function resultOf(c: JudgedCall, ev: Evaluation): CaseResult {
  const d = ev.decision;
  const probe = probeScoresOf(ev);
  const base = {
    id: c.id,
    label: c.label,
    category: c.category,
    elapsedUs: ev.elapsedUs,
    trace: ev.trace,
    ...(probe === undefined ? {} : { probe }),
  };
  if (d.outcome === 'allow') return { ...base, blocked: false };
  const layer = decider(ev.trace, d.reasons[0]?.layer);
  const reason = d.reasons.find((r) => r.layer === layer) ?? d.reasons[0];
  const findings = findingsOf(reason?.data);
  return {
    ...base,
    blocked: true,
    layer,
    code: reason?.code ?? 'denied',
    ...(reason?.detail === undefined ? {} : { detail: reason.detail.slice(0, MAX_DETAIL) }),
    ...(findings === undefined ? {} : { findings }),
    ...(d.outcome === 'deny' && d.failure === true ? { failure: true as const } : {}),
    // An ask stops the call until a person approves it: blocked for recall and precision, counted apart.
    ...(d.outcome === 'ask' ? { asked: true as const } : {}),
  };
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the input order in the output. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Runs every case as one `tools/call` through `pipeline` and returns what happened to each, in dataset
 * order. One case at a time by default, so per-layer latencies are not inflated by queueing; a higher
 * `concurrency` lets a batching probe backend work in parallel (latencies then include waiting).
 */
export async function runCases(
  pipeline: Pipeline,
  cases: readonly EvalCase[],
  options: RunOptions,
): Promise<CaseResult[]> {
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const evaluateOptions = options.deadlineMs === undefined ? undefined : { deadlineMs: options.deadlineMs };
  if (options.warmup === true) {
    await mapLimited(cases, concurrency, (c) =>
      pipeline.evaluate(toCall(c, options, '#warmup'), evaluateOptions),
    );
  }
  let done = 0;
  return mapLimited(cases, concurrency, async (c) => {
    const result = resultOf(c, await pipeline.evaluate(toCall(c, options), evaluateOptions));
    options.onCase?.(result, ++done, cases.length);
    return result;
  });
}
