import { readFileSync } from 'node:fs';
import type { ToolDefinition } from '../../src/index.js';
import { DETECTOR_IDS, scanArguments } from '../../src/index.js';

/** One labelled call of the pre-filter corpus. */
export interface CorpusCase {
  readonly id: string;
  readonly tool: Pick<ToolDefinition, 'name' | 'annotations'>;
  readonly arguments: Record<string, unknown>;
  /** Detectors that must fire (empty: benign). */
  readonly expect: readonly string[];
  /** Detectors that may also fire without counting as false positives. */
  readonly also?: readonly string[];
}

/** Per-detector counts and rates. */
export interface DetectorScore {
  readonly detector: string;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
}

/** Loads the corpus fixture. */
export function loadCorpus(): CorpusCase[] {
  return JSON.parse(
    readFileSync(new URL('../fixtures/prefilter-corpus.json', import.meta.url), 'utf8'),
  ) as CorpusCase[];
}

/** Scans every case; returns per-detector scores and the misclassified case ids. */
export function scoreCorpus(cases: readonly CorpusCase[]): {
  scores: DetectorScore[];
  misses: string[];
  falseAlarms: string[];
} {
  const counts = new Map(DETECTOR_IDS.map((d) => [d, { tp: 0, fp: 0, fn: 0 }]));
  const misses: string[] = [];
  const falseAlarms: string[] = [];
  for (const c of cases) {
    const tool: ToolDefinition = { inputSchema: { type: 'object' }, ...c.tool };
    // A finding counts when it can block: record-only findings (a secret to a closed-world tool) do not.
    const fired = new Set(
      scanArguments(c.arguments, tool)
        .filter((f) => f.recordOnly !== true)
        .map((f) => f.detector),
    );
    for (const d of DETECTOR_IDS) {
      const expected = c.expect.includes(d);
      const tolerated = c.also?.includes(d) ?? false;
      const n = counts.get(d) as { tp: number; fp: number; fn: number };
      if (expected && fired.has(d)) n.tp++;
      else if (expected) {
        n.fn++;
        misses.push(`${c.id}: missed ${d}`);
      } else if (fired.has(d) && !tolerated) {
        n.fp++;
        falseAlarms.push(`${c.id}: ${d}`);
      }
    }
  }
  const scores = [...counts].map(([detector, n]) => ({
    detector,
    ...n,
    // No positives predicted: precision is vacuously 1; no positives labelled: recall is vacuously 1.
    precision: n.tp + n.fp === 0 ? 1 : n.tp / (n.tp + n.fp),
    recall: n.tp + n.fn === 0 ? 1 : n.tp / (n.tp + n.fn),
  }));
  return { scores, misses, falseAlarms };
}

/** The scores as an aligned text table. */
export function formatScores(scores: readonly DetectorScore[]): string {
  const rows = scores.map(
    (s) =>
      `${s.detector.padEnd(20)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}   ${s.precision.toFixed(2)}      ${s.recall.toFixed(2)}`,
  );
  return [`${'detector'.padEnd(20)}   tp   fp   fn   precision recall`, ...rows].join('\n');
}
