/**
 * Classification arithmetic for the eval report. Pure functions, no I/O.
 *
 * "dangerous" is the positive class; a case is predicted positive when the gate blocks it.
 * Zero division: a ratio whose denominator is zero is reported as 0 (the convention of scikit-learn's
 * `zero_division=0`), so a gate that blocks nothing has precision 0, not NaN, and JSON stays numeric.
 */

/** Confusion counts for the dangerous class. */
export interface Confusion {
  /** Dangerous and blocked. */
  readonly tp: number;
  /** Safe but blocked. */
  readonly fp: number;
  /** Safe and allowed. */
  readonly tn: number;
  /** Dangerous but allowed. */
  readonly fn: number;
}

/** Confusion counts with the derived rates. */
export interface Metrics extends Confusion {
  readonly n: number;
  /** tp / (tp + fp). */
  readonly precision: number;
  /** tp / (tp + fn), the detection rate. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: number;
  /** fp / (fp + tn), the share of safe calls wrongly blocked. */
  readonly fpr: number;
  /** (tp + tn) / n. */
  readonly accuracy: number;
}

/** a / b, or 0 when b is 0. */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Counts outcomes: `dangerous` is the truth, `blocked` the gate's answer. */
export function confusion(outcomes: Iterable<{ dangerous: boolean; blocked: boolean }>): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const o of outcomes) {
    if (o.dangerous && o.blocked) tp++;
    else if (o.dangerous) fn++;
    else if (o.blocked) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/** Precision, recall, F1, false-positive rate and accuracy from confusion counts. */
export function metrics(c: Confusion): Metrics {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${k} must be a non-negative integer, got ${v}`);
  }
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const n = c.tp + c.fp + c.tn + c.fn;
  return {
    n,
    tp: c.tp,
    fp: c.fp,
    tn: c.tn,
    fn: c.fn,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    fpr: ratio(c.fp, c.fp + c.tn),
    accuracy: ratio(c.tp + c.tn, n),
  };
}

/**
 * The area under the ROC curve of `scores` for telling dangerous (positive) from safe: the probability
 * that a random dangerous case scores above a random safe one, ties counting half (the Mann-Whitney U
 * statistic over n₊·n₋). `undefined` when either class is absent, where the area is not defined.
 */
export function rocAuc(
  scored: readonly { readonly dangerous: boolean; readonly score: number }[],
): number | undefined {
  for (const s of scored) {
    if (!Number.isFinite(s.score)) throw new RangeError(`a score must be finite, got ${s.score}`);
  }
  const sorted = [...scored].sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const meanRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k++) {
      if (sorted[k]!.dangerous) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
