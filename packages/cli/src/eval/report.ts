import { quantile } from '@governed-mcp/core';
import { confusion, type Metrics, metrics, rocAuc } from './metrics.js';
import type { CaseResult } from './run.js';
import { type SessionSummary, summarizeSessions } from './session-report.js';
import type { SessionResult } from './session-run.js';

/** Counts and rates for one slice of the dataset (a category or a domain). */
export interface SliceReport extends Metrics {
  readonly safe: number;
  readonly dangerous: number;
}

/** What one layer blocked. */
export interface LayerReport {
  /** Dangerous cases this layer blocked (true positives it decided). */
  readonly caught: number;
  /** Safe cases this layer blocked (false positives it decided). */
  readonly wronglyBlocked: number;
  /** Blocks that were evaluation failures (fail-closed), not findings. */
  readonly failures: number;
  /** Deny codes and how often each decided a case. */
  readonly codes: Readonly<Record<string, number>>;
  /** Findings (`detector/code`) behind this layer's blocks: on dangerous and on safe cases. */
  readonly findings: Readonly<Record<string, { readonly dangerous: number; readonly safe: number }>>;
}

/** Latency percentiles in microseconds. */
export interface Latency {
  readonly n: number;
  readonly p50_us: number;
  readonly p99_us: number;
}

/** A misclassified case. */
export interface Miss {
  readonly id: string;
  readonly category: string;
  readonly layer?: string;
  readonly code?: string;
  readonly detail?: string;
  readonly findings?: readonly string[];
}

/** The whole eval report; the JSON output of `governed-mcp eval --json`. */
export interface EvalReport extends Metrics {
  readonly dataset: string;
  readonly config: string;
  /** The layers that ran, outermost first. */
  readonly layers: readonly string[];
  /** Layers left out on request (`--skip`). */
  readonly skippedLayers: readonly string[];
  /** Whether latencies were measured after a warm-up pass over every case. */
  readonly warmup: boolean;
  /** Cases evaluated at once; above 1, latencies include waiting for a shared backend. */
  readonly concurrency: number;
  /**
   * How principals were assigned, so readers know rate limits did not shape the figures: a fresh id per
   * case, a case being a single call or a whole session (its steps share the id).
   */
  readonly principals: 'fresh-per-case' | 'as-given';
  /** The tier of the default principal. */
  readonly tier: string;
  readonly byCategory: Readonly<Record<string, SliceReport>>;
  /** Categories grouped by the part before the first `/` (what the tool touches). */
  readonly byDomain: Readonly<Record<string, SliceReport>>;
  /** Categories grouped by the part after the first `/` (technique, `routine` or `hard-negative`). */
  readonly byKind: Readonly<Record<string, SliceReport>>;
  readonly byLayer: Readonly<Record<string, LayerReport>>;
  readonly misclassified: {
    readonly falsePositives: readonly Miss[];
    readonly falseNegatives: readonly Miss[];
  };
  readonly latency: { readonly total: Latency; readonly layers: Readonly<Record<string, Latency>> };
  /** Cases and session steps the gate answered *ask* (counted as blocked above). */
  readonly asks: number;
  /** Session steps whose call ran but whose result the response path withheld (counted as allowed: the effect happened). */
  readonly withheld: number;
  /** Present when the dataset holds sessions; their steps are counted as cases above. */
  readonly sessions?: SessionSummary;
  /**
   * Present when the semantic layer ran: the ROC AUC of its calibrated danger score over the calls it
   * scored (`null` when they hold only one label), threshold-free evidence of how well the model ranks.
   */
  readonly auc?: number | null;
  /** Calls the probe scored; the others were decided before it (or it failed). */
  readonly aucScored?: number;
}

/** Describes the run for the report header. */
export interface ReportMeta {
  readonly dataset: string;
  readonly config: string;
  readonly layers: readonly string[];
  readonly skippedLayers?: readonly string[];
  readonly warmup?: boolean;
  readonly concurrency?: number;
  readonly principals: 'fresh-per-case' | 'as-given';
  readonly tier: string;
}

function slices(results: readonly CaseResult[], key: (r: CaseResult) => string): Record<string, SliceReport> {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const k = key(r);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [r]);
    else list.push(r);
  }
  const out: Record<string, SliceReport> = {};
  for (const k of [...groups.keys()].sort()) {
    const list = groups.get(k)!;
    const dangerous = list.filter((r) => r.label === 'dangerous').length;
    const m = metrics(
      confusion(list.map((r) => ({ dangerous: r.label === 'dangerous', blocked: r.blocked }))),
    );
    out[k] = { ...m, safe: list.length - dangerous, dangerous };
  }
  return out;
}

function latency(values: readonly number[]): Latency {
  return { n: values.length, p50_us: quantile(values, 0.5), p99_us: quantile(values, 0.99) };
}

function miss(r: CaseResult): Miss {
  return {
    id: r.id,
    category: r.category,
    ...(r.layer === undefined ? {} : { layer: r.layer }),
    ...(r.code === undefined ? {} : { code: r.code }),
    ...(r.detail === undefined ? {} : { detail: r.detail }),
    ...(r.findings === undefined ? {} : { findings: r.findings }),
  };
}

interface MutableLayerReport {
  caught: number;
  wronglyBlocked: number;
  failures: number;
  codes: Record<string, number>;
  findings: Record<string, { dangerous: number; safe: number }>;
}

/**
 * Aggregates per-case results into the report. With `sessions`, their steps are added to `results` as
 * cases and the sessions are summarised apart.
 */
export function buildReport(
  cases: readonly CaseResult[],
  meta: ReportMeta,
  sessions: readonly SessionResult[] = [],
  withTask = false,
): EvalReport {
  const results = [...cases, ...sessions.flatMap((s) => s.steps)];
  const overall = metrics(
    confusion(results.map((r) => ({ dangerous: r.label === 'dangerous', blocked: r.blocked }))),
  );
  const byLayer: Record<string, MutableLayerReport> = {};
  const layerTimes = new Map<string, number[]>();
  for (const name of meta.layers) layerTimes.set(name, []);
  for (const r of results) {
    for (const t of r.trace) {
      const list = layerTimes.get(t.layer);
      if (list === undefined) layerTimes.set(t.layer, [t.us]);
      else list.push(t.us);
    }
    if (!r.blocked) continue;
    const layer = r.layer ?? 'pipeline';
    const entry = byLayer[layer] ?? { caught: 0, wronglyBlocked: 0, failures: 0, codes: {}, findings: {} };
    byLayer[layer] = entry;
    if (r.label === 'dangerous') entry.caught++;
    else entry.wronglyBlocked++;
    if (r.failure) entry.failures++;
    const code = r.code ?? 'denied';
    entry.codes[code] = (entry.codes[code] ?? 0) + 1;
    for (const f of new Set(r.findings ?? [])) {
      const counts = entry.findings[f] ?? { dangerous: 0, safe: 0 };
      entry.findings[f] = counts;
      counts[r.label]++;
    }
  }
  const layers: Record<string, Latency> = {};
  for (const [name, values] of layerTimes) layers[name] = latency(values);
  return {
    dataset: meta.dataset,
    config: meta.config,
    layers: meta.layers,
    skippedLayers: meta.skippedLayers ?? [],
    warmup: meta.warmup ?? false,
    concurrency: meta.concurrency ?? 1,
    principals: meta.principals,
    tier: meta.tier,
    ...overall,
    byCategory: slices(results, (r) => r.category),
    byDomain: slices(results, (r) => r.category.split('/')[0]!),
    byKind: slices(results, (r) => {
      const at = r.category.indexOf('/');
      return at < 0 ? r.category : r.category.slice(at + 1);
    }),
    byLayer,
    misclassified: {
      falsePositives: results.filter((r) => r.blocked && r.label === 'safe').map(miss),
      falseNegatives: results.filter((r) => !r.blocked && r.label === 'dangerous').map(miss),
    },
    latency: { total: latency(results.map((r) => r.elapsedUs)), layers },
    asks: results.filter((r) => r.asked === true).length,
    withheld: results.filter((r) => r.withheld === true).length,
    ...(sessions.length === 0 ? {} : { sessions: summarizeSessions(sessions, withTask) }),
    ...(meta.layers.includes('probe') ? probeAuc(results) : {}),
  };
}

function probeAuc(results: readonly CaseResult[]): { auc: number | null; aucScored: number } {
  const scored = results.flatMap((r) =>
    r.probe === undefined ? [] : [{ dangerous: r.label === 'dangerous', score: r.probe.pCalibrated }],
  );
  return { auc: rocAuc(scored) ?? null, aucScored: scored.length };
}
