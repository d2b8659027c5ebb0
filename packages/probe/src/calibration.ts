/**
 * Contextual calibration (Zhao et al. 2021, "Calibrate Before Use"). The label probabilities the model
 * gives content-free inputs measure its bias toward each label under this template; dividing them out
 * removes it. `alpha` in [0, 1] sets the strength: `score_k = log p_k(x) − alpha · log p_k(content-free)`,
 * then a softmax over the labels. alpha = 0 is the raw distribution, alpha = 1 the paper's full
 * calibration (diagonal W = 1 / p_cf).
 */

/** Probabilities of the two labels `[safe, dangerous]`, summing to 1. */
export type LabelPair = readonly [number, number];

/** The softmax of two log-scores, stable for large magnitudes. */
export function softmax2(a: number, b: number): LabelPair {
  const m = Math.max(a, b);
  const ea = Math.exp(a - m);
  const eb = Math.exp(b - m);
  return [ea / (ea + eb), eb / (ea + eb)];
}

/** Label probabilities from per-label log-probabilities (renormalized over the two labels). */
export function labelProbabilities(logprobs: readonly [number, number]): LabelPair {
  return softmax2(logprobs[0], logprobs[1]);
}

/** The content-free estimate: the mean of the label distributions of several content-free inputs, renormalized. */
export function contentFreeEstimate(pairs: readonly LabelPair[]): LabelPair {
  if (pairs.length === 0) throw new RangeError('at least one content-free input is needed');
  let safe = 0;
  let dangerous = 0;
  for (const [s, d] of pairs) {
    safe += s;
    dangerous += d;
  }
  const total = safe + dangerous;
  return [safe / total, dangerous / total];
}

/** Smallest probability used in logs, so a label the model never predicts cannot produce infinities. */
const FLOOR = 1e-12;

/** Applies calibration with strength `alpha` to a raw label distribution. */
export function calibrate(raw: LabelPair, contentFree: LabelPair, alpha: number): LabelPair {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const s = Math.log(Math.max(raw[0], FLOOR)) - alpha * Math.log(Math.max(contentFree[0], FLOOR));
  const d = Math.log(Math.max(raw[1], FLOOR)) - alpha * Math.log(Math.max(contentFree[1], FLOOR));
  return softmax2(s, d);
}

/**
 * `calibrate` computed from the labels' log-probabilities, so extreme raw values (a label 50 nats
 * less likely) keep their precision instead of meeting the probability floor.
 */
export function calibrateLogprobs(
  logprobs: readonly [number, number],
  contentFree: LabelPair,
  alpha: number,
): LabelPair {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const s = logprobs[0] - alpha * Math.log(Math.max(contentFree[0], Number.MIN_VALUE));
  const d = logprobs[1] - alpha * Math.log(Math.max(contentFree[1], Number.MIN_VALUE));
  return softmax2(s, d);
}
