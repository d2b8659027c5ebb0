import type { ToolCall } from '@governed-mcp/core';
import type { ProbeBackend, ScoreResult } from './backend/types.js';
import { contentFreeEstimate, type LabelPair, labelProbabilities } from './calibration.js';
import { ProbeErrorCode, probeCodeOf, probeError } from './errors.js';
import { contentFreeCall, type RenderedCall } from './prompt.js';
import { type ResolvedVerbalizer, resolveVerbalizer, type Verbalizer } from './verbalizer.js';

/** The question a score answers: is the call dangerous, or does it serve the user's task. */
export type ProbeQuestion = 'danger' | 'task';

/** One question, ready to score: how to render a call for it, its labels and its calibration. */
export interface Question {
  readonly name: ProbeQuestion;
  readonly render: (call: ToolCall) => RenderedCall;
  readonly verbalizer: Verbalizer;
  readonly labels: ResolvedVerbalizer['labels'];
  readonly contentFree: LabelPair;
}

export type Score = (
  q: Pick<Question, 'labels' | 'verbalizer'>,
  text: string,
  signal: AbortSignal,
) => Promise<ScoreResult>;

/**
 * Resolves a question's verbalizer after its answer cue and measures its content-free calibration
 * (cached per model, template, verbalizer and markers).
 */
export async function setUpQuestion(
  name: ProbeQuestion,
  render: (call: ToolCall) => RenderedCall,
  verbalizer: Verbalizer,
  key: string,
  ctx: { backend: ProbeBackend; score: Score; markers: readonly string[]; timeoutMs: number },
): Promise<Question> {
  const cue = render(contentFreeCall('N/A')).text;
  const resolved = await resolveVerbalizer((c, w, s) => ctx.backend.labelTokens(c, w, s), cue, verbalizer);
  let pending = calibrations.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const signal = AbortSignal.timeout(Math.ceil(Math.max(ctx.timeoutMs, 10_000)));
      const pairs: LabelPair[] = [];
      for (const marker of ctx.markers) {
        const r = await ctx.score(resolved, render(contentFreeCall(marker)).text, signal);
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
