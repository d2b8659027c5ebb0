import type { LayerTrace, Pipeline, Principal, ToolCall } from '@governed-mcp/core';
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
  /** The pipeline's total time for this case, in microseconds. */
  readonly elapsedUs: number;
  readonly trace: readonly LayerTrace[];
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

/** The deciding layer of a block: the layer whose own verdict was not a pass-through. */
function decider(trace: readonly LayerTrace[], fallback: string | undefined): string {
  const own = trace.find((t) => t.verdict === 'deny' || t.verdict === 'error' || t.verdict === 'timeout');
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
  };
}

/**
 * Runs every case as one `tools/call` through `pipeline`, one at a time (so per-layer latencies are not
 * inflated by queueing), and returns what happened to each, in dataset order.
 */
export async function runCases(
  pipeline: Pipeline,
  cases: readonly EvalCase[],
  options: RunOptions,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const evaluateOptions = options.deadlineMs === undefined ? undefined : { deadlineMs: options.deadlineMs };
  if (options.warmup === true) {
    for (const c of cases) await pipeline.evaluate(toCall(c, options, '#warmup'), evaluateOptions);
  }
  for (const c of cases) {
    const ev = await pipeline.evaluate(toCall(c, options), evaluateOptions);
    const d = ev.decision;
    const base = { id: c.id, label: c.label, category: c.category, elapsedUs: ev.elapsedUs, trace: ev.trace };
    let result: CaseResult;
    if (d.outcome === 'allow') {
      result = { ...base, blocked: false };
    } else {
      const layer = decider(ev.trace, d.reasons[0]?.layer);
      const reason = d.reasons.find((r) => r.layer === layer) ?? d.reasons[0];
      result = {
        ...base,
        blocked: true,
        layer,
        code: reason?.code ?? 'denied',
        ...(reason?.detail === undefined ? {} : { detail: reason.detail.slice(0, MAX_DETAIL) }),
        ...(findingsOf(reason?.data) === undefined ? {} : { findings: findingsOf(reason?.data)! }),
        ...(d.failure === true ? { failure: true as const } : {}),
      };
    }
    results.push(result);
    options.onCase?.(result, results.length, cases.length);
  }
  return results;
}
