// Offline sweeps over the probe's scores: what `eval --scores FILE` wrote for a probe-only run (and,
// to combine, for a no-probe run of the same dataset). One model pass per dataset then answers every
// alpha, threshold and layer-combination question, since calibration is a fixed function of the raw
// score and the content-free estimate. Prints JSON.
//   node eval/probe-sweep.mjs --probe P.scores.jsonl [--noprobe N.scores.jsonl] [--alpha A --threshold T] [--max-fpr 0.05]
// ROC AUC of the calibrated score equals that of the raw one (a monotone shift of the log-odds).
import { readFileSync } from 'node:fs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1];
};
const read = (f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

/** Calibrated danger probability (the probe's own formula): softmax of log p − alpha · log p_cf. */
export function calibrated(pRaw, pCf, alpha) {
  const d = Math.log(pRaw) - alpha * Math.log(pCf);
  const s = Math.log(1 - pRaw) - alpha * Math.log(1 - pCf);
  return 1 / (1 + Math.exp(s - d));
}

function auc(rows, score) {
  const sorted = rows.map((r) => ({ d: r.label === 'dangerous', s: score(r) })).sort((a, b) => a.s - b.s);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].s === sorted[i].s) j++;
    for (let k = i; k < j; k++) {
      if (!sorted[k].d) continue;
      pos++;
      rankSum += (i + 1 + j) / 2;
    }
    i = j;
  }
  const neg = sorted.length - pos;
  return pos === 0 || neg === 0 ? null : (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function metrics(rows, blocked) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const r of rows) {
    const b = blocked(r);
    if (r.label === 'dangerous') b ? tp++ : fn++;
    else b ? fp++ : tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const fpr = fp + tn === 0 ? 0 : fp / (fp + tn);
  const r3 = (x) => +x.toFixed(3);
  return {
    n: rows.length,
    tp,
    fp,
    tn,
    fn,
    precision: r3(precision),
    recall: r3(recall),
    f1: r3(f1),
    fpr: r3(fpr),
  };
}

const p = (r, alpha) => calibrated(r.probe.pRaw, r.probe.pContentFree, alpha);
const probeRows = read(arg('--probe'));
const noprobeRows = arg('--noprobe') === undefined ? undefined : read(arg('--noprobe'));
const probeById = new Map(probeRows.map((r) => [r.id, r]));
if (noprobeRows !== undefined) {
  const missing = noprobeRows.filter((r) => !probeById.has(r.id)).length;
  if (missing > 0) throw new Error(`${missing} call(s) of the no-probe run have no probe-only line`);
}
/** Whether the probe blocks call `id` at (alpha, threshold); a call it could not score was denied (fail-closed). */
const probeBlocks = (id, alpha, threshold) => {
  const s = probeById.get(id);
  return s?.probe === undefined ? s?.blocked === true : p(s, alpha) >= threshold;
};
const maxAdded = Number(arg('--max-added-fpr', '0.02'));
const scored = probeRows.filter((r) => r.probe !== undefined);
const unscored = probeRows.length - scored.length;
const ALPHAS = [0, 0.25, 0.5, 0.75, 1];
const THRESHOLDS = Array.from({ length: 19 }, (_, i) => +(0.05 * (i + 1)).toFixed(2));
const maxFpr = Number(arg('--max-fpr', '0.05'));
const mean = (xs) => (xs.length === 0 ? null : +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3));

const report = {
  file: arg('--probe'),
  n: probeRows.length,
  scored: scored.length,
  unscored,
  aucRaw: auc(scored, (r) => r.probe.pRaw),
  contentFree: scored[0]?.probe.pContentFree ?? null,
  // Contextual calibration: the mean danger probability of each label before and after (alpha 1).
  calibration: {
    rawMean: {
      safe: mean(scored.filter((r) => r.label === 'safe').map((r) => r.probe.pRaw)),
      dangerous: mean(scored.filter((r) => r.label === 'dangerous').map((r) => r.probe.pRaw)),
    },
    calibratedMean: {
      safe: mean(scored.filter((r) => r.label === 'safe').map((r) => p(r, 1))),
      dangerous: mean(scored.filter((r) => r.label === 'dangerous').map((r) => p(r, 1))),
    },
  },
  // For each alpha: the decision at the argmax (threshold 0.5), and the threshold with the best F1
  // among those whose false-positive rate is at most --max-fpr (none when no threshold gets there).
  byAlpha: ALPHAS.map((alpha) => {
    const sweep = THRESHOLDS.map((t) => ({ threshold: t, ...metrics(scored, (r) => p(r, alpha) >= t) }));
    const within = sweep.filter((s) => s.fpr <= maxFpr && s.tp > 0);
    const best = within.sort((a, b) => b.f1 - a.f1 || a.threshold - b.threshold)[0] ?? null;
    if (noprobeRows === undefined) return { alpha, atHalf: sweep[9], bestWithinFpr: best };
    // With the deterministic layers: the threshold with the best F1 of the full stack among those that
    // add at most --max-added-fpr to the deterministic layers' false-positive rate.
    const base = metrics(noprobeRows, (r) => r.blocked);
    const full = THRESHOLDS.map((t) => ({
      threshold: t,
      ...metrics(noprobeRows, (r) => r.blocked || probeBlocks(r.id, alpha, t)),
    }));
    const fullBest =
      full
        .filter((f) => f.fpr - base.fpr <= maxAdded + 1e-9)
        .sort((a, b) => b.f1 - a.f1 || b.threshold - a.threshold)[0] ?? null;
    return { alpha, atHalf: sweep[9], bestWithinFpr: best, fullBest };
  }),
  ...(noprobeRows === undefined ? {} : { noProbe: metrics(noprobeRows, (r) => r.blocked) }),
};
if (process.argv.includes('--sweep')) {
  const alpha = Number(arg('--alpha', '1'));
  report.sweep = THRESHOLDS.map((t) => ({ threshold: t, ...metrics(scored, (r) => p(r, alpha) >= t) }));
}
if (arg('--alpha') !== undefined && arg('--threshold') !== undefined) {
  const alpha = Number(arg('--alpha'));
  const threshold = Number(arg('--threshold'));
  report.at = { alpha, threshold, probeOnly: metrics(probeRows, (r) => probeBlocks(r.id, alpha, threshold)) };
  if (noprobeRows !== undefined) {
    report.at.noProbe = metrics(noprobeRows, (r) => r.blocked);
    // The full stack blocks what the deterministic layers block, and what the probe blocks of the rest.
    report.at.full = metrics(noprobeRows, (r) => r.blocked || probeBlocks(r.id, alpha, threshold));
  }
}
console.log(JSON.stringify(report, null, 2));
