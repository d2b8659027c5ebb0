import type { ToolCall } from '@governed-mcp/core';
import type { BackendInfo, PreparedPrefix, ProbeBackend } from './backend/types.js';
import type { LabelPair } from './calibration.js';
import type { CanonicalLimits } from './canonical.js';
import { ProbeErrorCode, probeCodeOf, probeError } from './errors.js';
import { type ProbeExample, renderExamples } from './examples.js';
import {
  DEFAULT_PRINCIPLES,
  DEFAULT_TASK_VERBALIZER,
  DEFAULT_TEMPLATE,
  type PromptTemplate,
  renderCall,
  renderPrefix,
  renderTaskCall,
  templateDigest,
} from './prompt.js';
import {
  type AnswerScore,
  answerScore,
  checkStrictness,
  deadlineSignal,
  type ProbeQuestion,
  type Question,
  raceDeadline,
  type Score,
  setUpQuestion,
} from './question.js';
import { BoundedQueue } from './queue.js';
import {
  createTextClassifier,
  DEFAULT_TEXT_VERBALIZER,
  type ProbeText,
  type TextClassifyOptions,
  type TextProbeResult,
} from './text-probe.js';

export type { ProbeQuestion } from './question.js';
export { clearCalibrationCache } from './question.js';

import { DEFAULT_VERBALIZER, type Verbalizer } from './verbalizer.js';

/** Options of `createProbe`. */
export interface ProbeOptions {
  readonly backend: ProbeBackend;
  /** The constitution's principles (default: `DEFAULT_PRINCIPLES`). */
  readonly principles?: readonly string[];
  readonly template?: PromptTemplate;
  readonly verbalizer?: Verbalizer;
  /** The words that answer the task question, `safe` meaning "serves the task". Default Yes / No. */
  readonly taskVerbalizer?: Verbalizer;
  /** The words that answer the text questions (`classifyText`), `dangerous` meaning "carries instructions". Default No / Yes. */
  readonly textVerbalizer?: Verbalizer;
  /**
   * Few-shot examples rendered into the shared prefix (evaluated once), each as a call part followed by
   * its verbalizer word. Default none; `DEFAULT_EXAMPLES` is a generic set. At most 32, 16 KiB rendered.
   */
  readonly examples?: readonly ProbeExample[];
  /**
   * Resolve and calibrate the task question while setting up (3 more scores) instead of on the first
   * call that carries a task. Default false: a gate that never sees a task never pays for it.
   */
  readonly prepareTask?: boolean;
  /** Content-free markers for calibration. Default `['N/A', '', '[MASK]']`. */
  readonly contentFree?: readonly string[];
  /** Calls that may wait for the backend before new ones are refused. Default 64. */
  readonly maxQueue?: number;
  /** Default time budget of one classification in ms, queueing included. Default 2000. */
  readonly timeoutMs?: number;
  /** Limits of the arguments' rendering. */
  readonly limits?: CanonicalLimits;
}

/**
 * What the probe does with the user's task (`call.session.task`) when a call carries one:
 * - `ignore`: ask only the danger question;
 * - `judge` (default): ask the task question instead, one forward pass: does the call serve the
 *   user's task and violate none of the principles;
 * - `both`: ask both (two forward passes); dangerous when either reaches the threshold.
 * A call without a task is always asked the danger question alone.
 */
export type TaskMode = 'ignore' | 'judge' | 'both';

/** Every task mode. */
export const TASK_MODES: readonly TaskMode[] = Object.freeze(['ignore', 'judge', 'both']);

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
  /** What to do with the user's task when the call carries one. Default `judge`. */
  readonly task?: TaskMode;
}

/** One question's score. For the task question, "dangerous" means the call does not serve the task. */
export type QuestionScore = AnswerScore<ProbeQuestion>;

/**
 * Everything the probe measured about one call; all of it goes into the audit record. The top-level
 * scores are those of the deciding `question` (the higher calibrated score when two were asked).
 */
export interface ProbeResult {
  readonly verdict: 'safe' | 'dangerous';
  readonly question: ProbeQuestion;
  /** Every question asked, in order (danger first). */
  readonly questions: readonly QuestionScore[];
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
  /**
   * Asks whether a tool's output or definition carries instructions to the agent: one forward pass
   * (none for a definition scored before). Rejects with the probe's codes, as `classify` does.
   */
  classifyText(text: ProbeText, options: TextClassifyOptions): Promise<TextProbeResult>;
  /** The content-free label distribution `[safe, dangerous]` this probe calibrates with. */
  readonly contentFree: LabelPair;
  describe(): BackendInfo & { readonly template: string; readonly prefixTokens: number };
  close(): Promise<void>;
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
  const taskVerbalizer = options.taskVerbalizer ?? DEFAULT_TASK_VERBALIZER;
  const markers = options.contentFree ?? ['N/A', '', '[MASK]'];
  const defaultTimeout = options.timeoutMs ?? 2000;
  if (markers.length === 0)
    throw probeError(ProbeErrorCode.InvalidConfig, 'contentFree needs at least one marker');
  const examples = renderExamples(template, options.examples ?? [], verbalizer, options.limits);
  await backend.open();
  const info = backend.describe();
  const queue = new BoundedQueue(info.parallel, options.maxQueue ?? 64);
  const prefix: PreparedPrefix = await backend.prepare(
    renderPrefix(template, principles, verbalizer) + examples,
  );
  const score: Score = (q, text, signal) => {
    const words = [q.verbalizer.safe, q.verbalizer.dangerous];
    const leadingSpace = q.verbalizer.leadingSpace ?? true;
    return queue.run(
      () => backend.score({ prefix, text, labels: q.labels, words, leadingSpace, signal }),
      signal,
    );
  };
  const ctx = { backend, score, markers, timeoutMs: defaultTimeout };
  const digest = templateDigest(template, principles, verbalizer, examples);
  const danger = await setUpQuestion(
    'danger',
    (call) => renderCall(template, call, options.limits),
    verbalizer,
    `${info.id}|${digest}|${JSON.stringify(markers)}`,
    ctx,
  );
  // The task question is keyed by its own body and verbalizer, so its calibration is its own.
  const taskBody = { prefix: template.prefix, call: template.task ?? DEFAULT_TEMPLATE.task! };
  const taskKey = `${info.id}|${templateDigest(taskBody, principles, taskVerbalizer, examples)}|task|${JSON.stringify(markers)}`;
  let task: Promise<Question> | undefined;
  const taskQuestion = (): Promise<Question> => {
    task ??= setUpQuestion(
      'task',
      (call) =>
        renderTaskCall(template, call, taskVerbalizer, options.limits, call.session?.task ?? call.method),
      taskVerbalizer,
      taskKey,
      ctx,
    );
    task.catch(() => {
      task = undefined; // A failed set-up is retried by the next call that needs it.
    });
    return task;
  };
  if (options.prepareTask === true) await taskQuestion();

  async function ask(
    q: Question,
    call: ToolCall,
    opts: ClassifyOptions,
    signal: AbortSignal,
  ): Promise<QuestionScore> {
    const rendered = q.render(call);
    const r = await raceDeadline(score(q, rendered.text, signal), signal);
    return answerScore(q, r, rendered, opts);
  }

  async function classify(call: ToolCall, opts: ClassifyOptions): Promise<ProbeResult> {
    const started = performance.now();
    checkStrictness(opts);
    const mode = opts.task ?? 'judge';
    if (!TASK_MODES.includes(mode))
      throw probeError(ProbeErrorCode.InvalidConfig, `task mode ${String(mode)} is unknown`);
    const signal = deadlineSignal(opts, defaultTimeout);
    const userTask = call.session?.task;
    const hasTask = mode !== 'ignore' && typeof userTask === 'string' && userTask.trim() !== '';
    const questions = hasTask
      ? [...(mode === 'both' ? [danger] : []), await raceDeadline(taskQuestion(), signal)]
      : [danger];
    const scores = await Promise.all(questions.map((q) => ask(q, call, opts, signal)));
    // The deciding question is the one that scored higher (ties go to the danger question).
    const decided = scores.reduce((a, b) => (b.pCalibrated > a.pCalibrated ? b : a));
    return {
      verdict: decided.verdict,
      question: decided.question,
      questions: scores,
      pRaw: decided.pRaw,
      pCalibrated: decided.pCalibrated,
      pContentFree: decided.pContentFree,
      alpha: opts.alpha,
      threshold: opts.threshold,
      verbalizers: decided.verbalizers,
      logprobs: decided.logprobs,
      tokens: { prefix: prefix.tokenCount, ...decided.tokens },
      ms: performance.now() - started,
      truncated: scores.some((s) => s.truncated),
    };
  }

  const classifyText = createTextClassifier({
    ...ctx,
    template,
    verbalizer: options.textVerbalizer ?? DEFAULT_TEXT_VERBALIZER,
    key: `${info.id}|${digest}|text|${JSON.stringify(markers)}`,
    prefixTokens: prefix.tokenCount,
  });

  return {
    classify,
    classifyText,
    contentFree: danger.contentFree,
    describe: () => ({ ...info, template: digest, prefixTokens: prefix.tokenCount }),
    close: () => backend.close(),
  };
}
