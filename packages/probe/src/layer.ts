import {
  type CallContext,
  DEFAULT_SETTINGS,
  type Decision,
  defineLayer,
  deny,
  type JsonObject,
  type Layer,
  type ProbeStrictness,
  TIER_FACT,
  withReason,
} from '@governed-mcp/core';
import { probeCodeOf } from './errors.js';
import type { Probe, ProbeResult, QuestionScore, TaskMode } from './probe.js';

/** The layer's canonical name. */
export const PROBE_LAYER = 'probe';

/** Decision codes of the probe layer (failure codes are in `ProbeErrorCode`). */
export const ProbeDecisionCode = {
  /** The danger question decided: the call violates a principle. */
  Dangerous: 'probe_dangerous',
  /** The task question decided: the call does not serve the user's task (or violates a principle). */
  OffTask: 'probe_off_task',
  Safe: 'probe_safe',
} as const;

/** Options of `createProbeLayer`. */
export interface ProbeLayerOptions {
  /**
   * The probe, a promise of one (calls wait for it; if it rejects, every call denies with its code),
   * or a factory given `principles`.
   */
  readonly probe: Probe | Promise<Probe> | ((principles: readonly string[] | undefined) => Promise<Probe>);
  /** The constitution's principles, handed to a probe factory. */
  readonly principles?: readonly string[];
  /** Per-call strictness. Default: `defaultStrictness` (the tier layer's fact, else the default table). */
  readonly strictness?: (ctx: CallContext) => ProbeStrictness;
  /** Most time one probe may take, in ms; the call's remaining time caps it. Default 2000. */
  readonly timeoutMs?: number;
  /**
   * What to do with the user's task when a call carries one (`call.session.task`, set by hosts that
   * embed the gate; the MCP proxy has none): `judge` (default) asks whether the call serves it, one
   * forward pass; `both` also asks the danger question (two passes); `ignore` asks only the danger
   * question. Calls without a task are unaffected.
   */
  readonly task?: TaskMode;
}

/**
 * The strictness the tier layer resolved for this call (`TIER_FACT`: the tool's tier row plus rule
 * overrides); without a tier layer, the `DEFAULT_SETTINGS` profile of the principal's tier, and the
 * least trusted profile for an unknown tier.
 */
export function defaultStrictness(ctx: CallContext): ProbeStrictness {
  const fact = ctx.get(TIER_FACT);
  if (fact !== undefined) return fact.profile.probe;
  const tiers = DEFAULT_SETTINGS.tiers;
  return (tiers.find((t) => t.name === ctx.call.principal.tier) ?? tiers[0]!).probe;
}

/** A number the audit's canonical JSON can hold (non-finite becomes null). */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

function questionEvidence(q: QuestionScore): JsonObject {
  return {
    question: q.question,
    verdict: q.verdict,
    pRaw: q.pRaw,
    pCalibrated: q.pCalibrated,
    pContentFree: q.pContentFree,
    verbalizers: { safe: q.verbalizers.safe, dangerous: q.verbalizers.dangerous },
  };
}

/** A probe result as `probeEvidence` takes it; without `question`, the danger question decided. */
export type ProbeEvidenceInput = Omit<ProbeResult, 'question' | 'questions'> &
  Partial<Pick<ProbeResult, 'question' | 'questions'>>;

/**
 * The audit evidence of one probe: the deciding question's scores under the old keys, the question's
 * name, and when more than one question was asked, each question's scores.
 */
export function probeEvidence(r: ProbeEvidenceInput): JsonObject {
  const more =
    r.questions !== undefined && r.questions.length > 1
      ? { questions: r.questions.map(questionEvidence) }
      : {};
  return {
    question: r.question ?? 'danger',
    ...more,
    verdict: r.verdict,
    pRaw: r.pRaw,
    pCalibrated: r.pCalibrated,
    pContentFree: r.pContentFree,
    alpha: r.alpha,
    threshold: r.threshold,
    verbalizers: { safe: r.verbalizers.safe, dangerous: r.verbalizers.dangerous },
    logprobs: [num(r.logprobs[0]), num(r.logprobs[1])],
    tokens: {
      prefix: r.tokens.prefix,
      call: r.tokens.call,
      labels: [r.tokens.labels[0], r.tokens.labels[1]],
    },
    ms: r.ms,
    truncated: r.truncated,
  };
}

function failure(code: string, detail: string): Decision {
  return { outcome: 'deny', reasons: [{ layer: PROBE_LAYER, code, detail }], failure: true };
}

/**
 * Creates the `probe` layer: classifies each call with one forward pass; denies `probe_dangerous`
 * when the calibrated danger probability reaches the threshold (`probe_off_task` when the task
 * question decided), otherwise passes on and annotates the downstream decision with `probe_safe`. Every failure (timeout, invalid model, backend error, full
 * queue) denies with its own code and `failure: true`.
 */
export function createProbeLayer(options: ProbeLayerOptions): Layer {
  const source = options.probe;
  const probe: Promise<Probe> =
    typeof source === 'function'
      ? Promise.resolve().then(() => source(options.principles))
      : Promise.resolve(source);
  probe.catch(() => undefined); // Rejections are reported per call, never as an unhandled rejection.
  const strictness = options.strictness ?? defaultStrictness;
  const maxMs = options.timeoutMs ?? 2000;

  return defineLayer(PROBE_LAYER, async function probeLayer(ctx, next) {
    const s = strictness(ctx);
    if (!s.enabled) return next();
    let result: ProbeResult;
    try {
      const p = await probe;
      // Leave a little of the call's time so the probe's own timeout, not the pipeline's, reports it.
      const remaining = ctx.remainingMs();
      const timeoutMs = Math.max(1, Math.min(maxMs, remaining - Math.max(5, remaining * 0.1)));
      result = await p.classify(ctx.call, {
        alpha: s.alpha,
        threshold: s.threshold,
        signal: ctx.signal,
        timeoutMs,
        ...(options.task === undefined ? {} : { task: options.task }),
      });
    } catch (err) {
      return failure(probeCodeOf(err), err instanceof Error ? err.message : String(err));
    }
    const data = probeEvidence(result);
    if (result.verdict === 'dangerous') {
      const p = result.pCalibrated.toFixed(3);
      return result.question === 'task'
        ? deny(
            PROBE_LAYER,
            ProbeDecisionCode.OffTask,
            `calibrated probability that the call does not serve the user's task ${p} ≥ threshold ${result.threshold}`,
            data,
          )
        : deny(
            PROBE_LAYER,
            ProbeDecisionCode.Dangerous,
            `calibrated danger ${p} ≥ threshold ${result.threshold}`,
            data,
          );
    }
    return withReason(await next(), { layer: PROBE_LAYER, code: ProbeDecisionCode.Safe, data });
  });
}
