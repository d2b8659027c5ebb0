// The semantic layer on tool RESULTS: asks the model of each sampled result "does this output carry
// instructions addressed to the agent?" (`probe.classifyText({ kind: 'result' })`, one forward pass)
// and reports the ROC AUC of its score, its recall and false alarms at a threshold, and what it adds to
// the deterministic result judge. Called by measure-results.mjs with --probe MODEL [--sample N].

import { rocAuc } from '../../../packages/cli/src/eval/metrics.ts';
import { resolveModelPath } from '../../../packages/cli/src/models/resolve.ts';
import { createLlamaCppBackend } from '../../../packages/probe/src/backend/llama-cpp.ts';
import { DEFAULT_EXAMPLES } from '../../../packages/probe/src/examples.ts';
import { createProbe } from '../../../packages/probe/src/probe.ts';

/** The text items of a result, as the response path reads them. */
function textOf(result) {
  const content = result?.content ?? result?.result?.content;
  if (Array.isArray(content)) {
    return content.map((c) => (typeof c?.text === 'string' ? c.text : JSON.stringify(c))).join('\n');
  }
  return JSON.stringify(result ?? null);
}

/** A deterministic sample: every positive and negative up to `n / 2` each, evenly spaced. */
function sample(cases, n) {
  const pick = (list, k) =>
    list.length <= k ? list : list.filter((_, i) => i % Math.ceil(list.length / k) === 0);
  return [
    ...pick(
      cases.filter((c) => c.injected),
      n / 2,
    ),
    ...pick(
      cases.filter((c) => !c.injected),
      n / 2,
    ),
  ];
}

export async function measureProbeOnResults(cases, judge, options) {
  const chosen = sample(cases, options.sample);
  const probe = await createProbe({
    backend: createLlamaCppBackend({ modelPath: resolveModelPath(options.model) }),
    ...(options.fewShot ? { examples: DEFAULT_EXAMPLES } : {}),
  });
  const rows = [];
  const started = performance.now();
  try {
    for (const c of chosen) {
      const r = await probe.classifyText(
        { kind: 'result', text: textOf(c.result) },
        { alpha: options.alpha, threshold: options.threshold, timeoutMs: 120_000 },
      );
      const detector = judge(c).findings.length > 0;
      rows.push({ injected: c.injected, p: r.pCalibrated, pRaw: r.pRaw, detector, ms: r.ms });
    }
  } finally {
    await probe.close();
  }
  const at = (flag) => {
    const pos = rows.filter((r) => r.injected);
    const neg = rows.filter((r) => !r.injected);
    return {
      recall: +(pos.filter(flag).length / Math.max(1, pos.length)).toFixed(3),
      flaggedCleanRate: +(neg.filter(flag).length / Math.max(1, neg.length)).toFixed(3),
    };
  };
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  return {
    model: options.model,
    prompt: options.fewShot ? 'few-shot' : 'plain',
    alpha: options.alpha,
    threshold: options.threshold,
    sampled: {
      positives: rows.filter((r) => r.injected).length,
      negatives: rows.filter((r) => !r.injected).length,
    },
    auc: +(rocAuc(rows.map((r) => ({ dangerous: r.injected, score: r.p }))) ?? Number.NaN).toFixed(3),
    probe: at((r) => r.p >= options.threshold),
    detector: at((r) => r.detector),
    detectorOrProbe: at((r) => r.detector || r.p >= options.threshold),
    p50ms: +(ms[Math.floor(ms.length / 2)] ?? 0).toFixed(1),
    wallSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
}
