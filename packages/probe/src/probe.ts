import type { ToolCall } from '@governed-mcp/core';
import type { BackendInfo, PreparedPrefix, ProbeBackend } from './backend/types.js';
import { calibrateLogprobs, contentFreeEstimate, type LabelPair, labelProbabilities } from './calibration.js';
import type { CanonicalLimits } from './canonical.js';
import { ProbeErrorCode, probeCodeOf, probeError } from './errors.js';
import {
  contentFreeCall,
  DEFAULT_PRINCIPLES,
  DEFAULT_TEMPLATE,
  type PromptTemplate,
  renderCall,
  renderPrefix,
  templateDigest,
} from './prompt.js';
import { BoundedQueue } from './queue.js';
import {
  DEFAULT_VERBALIZER,
  type ResolvedVerbalizer,
  resolveVerbalizer,
  type Verbalizer,
} from './verbalizer.js';

/** Options of `createProbe`. */
export interface ProbeOptions {
  readonly backend: ProbeBackend;
  /** The constitution's principles (default: `DEFAULT_PRINCIPLES`). */
  readonly principles?: readonly string[];
  readonly template?: PromptTemplate;
  readonly verbalizer?: Verbalizer;
  /** Content-free markers for calibration. Default `['N/A', '', '[MASK]']`. */
  readonly contentFree?: readonly string[];
  /** Calls that may wait for the backend before new ones are refused. Default 64. */
  readonly maxQueue?: number;
  /** Default time budget of one classification in ms, queueing included. Default 2000. */
  readonly timeoutMs?: number;
  /** Limits of the arguments' rendering. */
  readonly limits?: CanonicalLimits;
}

/** Per-call strictness. */
export interface ClassifyOptions {
  /** Calibration strength in [0, 1]. */
  readonly alpha: number;
  /** Danger threshold in (0, 1): dangerous when the calibrated probability is at least this. */
  readonly threshold: number;
  /** Aborts the probe (e.g. the call's deadline). */
  readonly signal?: AbortSignal;
  /** Overrides the probe's default time budget for this call. */
  readonly timeoutMs?: number;
}

/** Everything the probe measured about one call; all of it goes into the audit record. */
export interface ProbeResult {
  readonly verdict: 'safe' | 'dangerous';
  /** Raw probability of the dangerous label (renormalized over the two labels). */
  readonly pRaw: number;
  /** Probability of the dangerous label after calibration with `alpha`. */
  readonly pCalibrated: number;
  /** The content-free probability of the dangerous label used for calibration. */
  readonly pContentFree: number;
  readonly alpha: number;
  readonly threshold: number;
  readonly verbalizers: { readonly safe: string; readonly dangerous: string };
  /** Per-label log-probabilities `[safe, dangerous]` as the backend reported them. */
  readonly logprobs: readonly [number, number];
  readonly tokens: {
    readonly prefix: number;
    readonly call: number;
    readonly labels: readonly [number, number];
  };
  /** Wall time in ms, queueing included. */
  readonly ms: number;
  /** True when a field or argument was cut to fit the prompt (the prompt carries a marker). */
  readonly truncated: boolean;
}

/** The ProbeLogits primitive: one forward pass per call, no tokens generated. */
export interface Probe {
  classify(call: ToolCall, options: ClassifyOptions): Promise<ProbeResult>;
  /** The content-free label distribution `[safe, dangerous]` this probe calibrates with. */
  readonly contentFree: LabelPair;
  describe(): BackendInfo & { readonly template: string; readonly prefixTokens: number };
  close(): Promise<void>;
}

const calibrations = new Map<string, Promise<LabelPair>>();

/** Forgets cached calibrations (for tests that swap models under one path). */
export function clearCalibrationCache(): void {
  calibrations.clear();
}

function checkStrictness({ alpha, threshold }: ClassifyOptions): void {
  if (!(alpha >= 0 && alpha <= 1))
    throw probeError(ProbeErrorCode.InvalidConfig, `alpha ${alpha} is not in [0, 1]`);
  if (!(threshold > 0 && threshold < 1)) {
    throw probeError(ProbeErrorCode.InvalidConfig, `threshold ${threshold} is not in (0, 1)`);
  }
}

/**
 * Creates a probe: opens the backend (validating the model), evaluates the shared prefix, resolves
 * the verbalizers and measures the content-free calibration (cached per model, template and
 * verbalizer). Rejects with `probe_model_invalid`, `probe_backend_error` or `probe_invalid_config`.
 * @example
 * const probe = await createProbe({ backend: createLlamaCppBackend({ modelPath }) });
 * const r = await probe.classify(call, { alpha: 0.5, threshold: 0.5 });
 */
export async function createProbe(options: ProbeOptions): Promise<Probe> {
  try {
    return await setUp(options);
  } catch (err) {
    // A probe that failed to set up must not keep its model or connections.
    await options.backend.close().catch(() => undefined);
    throw probeError(probeCodeOf(err), (err as Error).message, err);
  }
}

async function setUp(options: ProbeOptions): Promise<Probe> {
  const { backend } = options;
  const template = options.template ?? DEFAULT_TEMPLATE;
  const principles = options.principles ?? DEFAULT_PRINCIPLES;
  const verbalizer = options.verbalizer ?? DEFAULT_VERBALIZER;
  const markers = options.contentFree ?? ['N/A', '', '[MASK]'];
  const defaultTimeout = options.timeoutMs ?? 2000;
  if (markers.length === 0)
    throw probeError(ProbeErrorCode.InvalidConfig, 'contentFree needs at least one marker');
  await backend.open();
  const info = backend.describe();
  const queue = new BoundedQueue(info.parallel, options.maxQueue ?? 64);
  const prefix: PreparedPrefix = await backend.prepare(renderPrefix(template, principles, verbalizer));
  const cue = renderCall(template, contentFreeCall('N/A')).text;
  const resolved: ResolvedVerbalizer = await resolveVerbalizer(
    (c, w, s) => backend.labelTokens(c, w, s),
    cue,
    verbalizer,
  );
  const leadingSpace = verbalizer.leadingSpace ?? true;
  const words = [verbalizer.safe, verbalizer.dangerous];

  const score = (text: string, signal: AbortSignal) =>
    queue.run(
      () => backend.score({ prefix, text, labels: resolved.labels, words, leadingSpace, signal }),
      signal,
    );

  const digest = templateDigest(template, principles, verbalizer);
  const key = `${info.id}|${digest}|${JSON.stringify(markers)}`;
  let pending = calibrations.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const signal = AbortSignal.timeout(Math.ceil(Math.max(defaultTimeout, 10_000)));
      const pairs: LabelPair[] = [];
      for (const marker of markers) {
        const r = await score(renderCall(template, contentFreeCall(marker), options.limits).text, signal);
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
  let contentFree: LabelPair;
  try {
    contentFree = await pending;
  } catch (err) {
    throw probeError(probeCodeOf(err), `calibration failed: ${(err as Error).message}`, err);
  }
  const labelTokens: [number, number] = [resolved.labels[0].length, resolved.labels[1].length];

  async function classify(call: ToolCall, opts: ClassifyOptions): Promise<ProbeResult> {
    const started = performance.now();
    checkStrictness(opts);
    const budget = opts.timeoutMs ?? defaultTimeout;
    if (!(budget > 0)) throw probeError(ProbeErrorCode.InvalidConfig, `timeoutMs ${budget} must be positive`);
    const timeout = AbortSignal.timeout(Math.min(2 ** 31 - 1, Math.ceil(budget)));
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
    const rendered = renderCall(template, call, options.limits);
    const work = score(rendered.text, signal);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(probeError(ProbeErrorCode.Timeout, 'the probe ran past its deadline'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    let r: Awaited<typeof work>;
    try {
      r = await Promise.race([work, aborted]);
    } catch (err) {
      // The backend may still finish; its queue slot is released then, and its result dropped.
      work.catch(() => undefined);
      throw probeError(probeCodeOf(err), (err as Error).message, err);
    } finally {
      signal.removeEventListener('abort', onAbort!);
      aborted.catch(() => undefined);
    }
    const logprobs: [number, number] = [r.logprobs[0]!, r.logprobs[1]!];
    if (!logprobs.every((l) => Number.isFinite(l) || l === Number.NEGATIVE_INFINITY)) {
      throw probeError(ProbeErrorCode.BackendError, 'the backend returned a non-numeric log-probability');
    }
    const raw = labelProbabilities(logprobs);
    const calibrated = calibrateLogprobs(logprobs, contentFree, opts.alpha);
    if (!Number.isFinite(calibrated[1]))
      throw probeError(ProbeErrorCode.BackendError, 'calibration produced NaN');
    return {
      verdict: calibrated[1] >= opts.threshold ? 'dangerous' : 'safe',
      pRaw: raw[1],
      pCalibrated: calibrated[1],
      pContentFree: contentFree[1],
      alpha: opts.alpha,
      threshold: opts.threshold,
      verbalizers: { safe: verbalizer.safe, dangerous: verbalizer.dangerous },
      logprobs,
      tokens: { prefix: prefix.tokenCount, call: r.callTokens, labels: labelTokens },
      ms: performance.now() - started,
      truncated: rendered.truncated,
    };
  }

  return {
    classify,
    contentFree,
    describe: () => ({ ...info, template: digest, prefixTokens: prefix.tokenCount }),
    close: () => backend.close(),
  };
}
