import type { ToolCall } from '@governed-mcp/core';
import type { ProbeBackend, ScoreResult } from './backend/types.js';
import { calibrateLogprobs, contentFreeEstimate, type LabelPair, labelProbabilities } from './calibration.js';
import { ProbeErrorCode, probeCodeOf, probeError } from './errors.js';
import { contentFreeCall, type RenderedCall } from './prompt.js';
import { type ResolvedVerbalizer, resolveVerbalizer, type Verbalizer } from './verbalizer.js';

/** The question a score answers: is the call dangerous, or does it serve the user's task. */
export type ProbeQuestion = 'danger' | 'task';

/**
 * One question, ready to score: how to render its input (a call, or a text for the text questions),
 * its labels and its calibration.
 */
export interface Question<I = ToolCall, N extends string = ProbeQuestion> {
  readonly name: N;
  readonly render: (input: I) => RenderedCall;
  readonly verbalizer: Verbalizer;
  readonly labels: ResolvedVerbalizer['labels'];
  readonly contentFree: LabelPair;
}

export type Score = (
  q: Pick<Question, 'labels' | 'verbalizer'>,
  text: string,
  signal: AbortSignal,
) => Promise<ScoreResult>;

/** What setting up a question needs from the probe. */
export interface QuestionContext {
  readonly backend: ProbeBackend;
  readonly score: Score;
  readonly markers: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Resolves a question's verbalizer after its answer cue and measures its content-free calibration
 * (cached per model, template, verbalizer and markers). `blank` turns a content-free marker into the
 * question's input (a call whose every field is the marker, by default).
 */
export async function setUpQuestion<I = ToolCall, N extends string = ProbeQuestion>(
  name: N,
  render: (input: I) => RenderedCall,
  verbalizer: Verbalizer,
  key: string,
  ctx: QuestionContext,
  blank: (marker: string) => I = contentFreeCall as unknown as (marker: string) => I,
): Promise<Question<I, N>> {
  const cue = render(blank('N/A')).text;
  const resolved = await resolveVerbalizer((c, w, s) => ctx.backend.labelTokens(c, w, s), cue, verbalizer);
  let pending = calibrations.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const signal = AbortSignal.timeout(Math.ceil(Math.max(ctx.timeoutMs, 10_000)));
      const pairs: LabelPair[] = [];
      for (const marker of ctx.markers) {
        const r = await ctx.score(resolved, render(blank(marker)).text, signal);
        pairs.push(labelProbabilities([r.logprobs[0]!, r.logprobs[1]!]));
      }
      const estimate = contentFreeEstimate(pairs);
      if (!estimate.every(Number.isFinite)) {
        throw probeError(
          ProbeErrorCode.BackendError,
          'content-free calibration gave no usable probabilities',
        );
      }
      return estimate;
    })();
    calibrations.set(key, pending);
    pending.catch(() => calibrations.delete(key));
  }
  try {
    return { name, render, verbalizer, labels: resolved.labels, contentFree: await pending };
  } catch (err) {
    throw probeError(probeCodeOf(err), `calibration failed: ${(err as Error).message}`, err);
  }
}

/** The scores of one question about one input, before the probe adds its own fields. */
export interface AnswerScore<N extends string = ProbeQuestion> {
  readonly question: N;
  readonly verdict: 'safe' | 'dangerous';
  /** Raw probability of the dangerous label (renormalized over the two labels). */
  readonly pRaw: number;
  /** Probability of the dangerous label after calibration with `alpha`. */
  readonly pCalibrated: number;
  /** The content-free probability of the dangerous label used for calibration. */
  readonly pContentFree: number;
  readonly verbalizers: { readonly safe: string; readonly dangerous: string };
  /** Per-label log-probabilities `[safe, dangerous]` as the backend reported them. */
  readonly logprobs: readonly [number, number];
  readonly tokens: { readonly call: number; readonly labels: readonly [number, number] };
  readonly truncated: boolean;
}

/**
 * Turns a backend's answer into a question's calibrated score and verdict. Rejects a non-numeric
 * log-probability or a NaN calibration with `probe_backend_error`.
 */
export function answerScore<I, N extends string>(
  q: Question<I, N>,
  r: ScoreResult,
  rendered: RenderedCall,
  opts: { readonly alpha: number; readonly threshold: number },
): AnswerScore<N> {
  const logprobs: [number, number] = [r.logprobs[0]!, r.logprobs[1]!];
  if (!logprobs.every((l) => Number.isFinite(l) || l === Number.NEGATIVE_INFINITY)) {
    throw probeError(ProbeErrorCode.BackendError, 'the backend returned a non-numeric log-probability');
  }
  const calibrated = calibrateLogprobs(logprobs, q.contentFree, opts.alpha);
  if (!Number.isFinite(calibrated[1]))
    throw probeError(ProbeErrorCode.BackendError, 'calibration produced NaN');
  return {
    question: q.name,
    verdict: calibrated[1] >= opts.threshold ? 'dangerous' : 'safe',
    pRaw: labelProbabilities(logprobs)[1],
    pCalibrated: calibrated[1],
    pContentFree: q.contentFree[1],
    verbalizers: { safe: q.verbalizer.safe, dangerous: q.verbalizer.dangerous },
    logprobs,
    tokens: { call: r.callTokens, labels: [q.labels[0].length, q.labels[1].length] },
    truncated: rendered.truncated,
  };
}

/** Checks per-call strictness: alpha in [0, 1], threshold in (0, 1); else `probe_invalid_config`. */
export function checkStrictness({ alpha, threshold }: { alpha: number; threshold: number }): void {
  if (!(alpha >= 0 && alpha <= 1))
    throw probeError(ProbeErrorCode.InvalidConfig, `alpha ${alpha} is not in [0, 1]`);
  if (!(threshold > 0 && threshold < 1)) {
    throw probeError(ProbeErrorCode.InvalidConfig, `threshold ${threshold} is not in (0, 1)`);
  }
}

/** The signal one classification runs under: its time budget, and the caller's signal if any. */
export function deadlineSignal(
  opts: { readonly signal?: AbortSignal; readonly timeoutMs?: number },
  defaultTimeout: number,
): AbortSignal {
  const budget = opts.timeoutMs ?? defaultTimeout;
  if (!(budget > 0)) throw probeError(ProbeErrorCode.InvalidConfig, `timeoutMs ${budget} must be positive`);
  const timeout = AbortSignal.timeout(Math.min(2 ** 31 - 1, Math.ceil(budget)));
  return opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
}

/** Rejects when `signal` aborts first; the work may still finish, its result dropped. */
export async function raceDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(probeError(ProbeErrorCode.Timeout, 'the probe ran past its deadline'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (err) {
    work.catch(() => undefined);
    throw probeError(probeCodeOf(err), (err as Error).message, err);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    aborted.catch(() => undefined);
  }
}

const calibrations = new Map<string, Promise<LabelPair>>();

/** Forgets cached calibrations (for tests that swap models under one path). */
export function clearCalibrationCache(): void {
  calibrations.clear();
}
