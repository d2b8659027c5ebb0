import { createHash } from 'node:crypto';
import type { ToolDefinition } from '@governed-mcp/core';
import type { ScoreResult } from './backend/types.js';
import { canonicalize, cutMiddle } from './canonical.js';
import { ProbeErrorCode, probeError } from './errors.js';
import { DEFAULT_TEMPLATE, fillTemplate, type PromptTemplate, type RenderedCall } from './prompt.js';
import {
  type AnswerScore,
  answerScore,
  checkStrictness,
  deadlineSignal,
  type Question,
  type QuestionContext,
  raceDeadline,
  setUpQuestion,
} from './question.js';
import type { Verbalizer } from './verbalizer.js';

/** What a probed text is: a tool's output, or a tool's definition. */
export type TextKind = 'result' | 'definition';

/** Every text kind. */
export const TEXT_KINDS: readonly TextKind[] = Object.freeze(['result', 'definition']);

/** A text to probe, with the name of the tool it came from (quoted into the prompt) when known. */
export interface ProbeText {
  readonly kind: TextKind;
  readonly text: string;
  readonly tool?: string;
}

/** Per-text strictness, as a call's (without the task mode). */
export interface TextClassifyOptions {
  /** Calibration strength in [0, 1]. */
  readonly alpha: number;
  /** Danger threshold in (0, 1). */
  readonly threshold: number;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** A text's score: the shape of a call's, plus whether a cached definition answered it. */
export interface TextProbeResult extends AnswerScore<TextKind> {
  readonly alpha: number;
  readonly threshold: number;
  readonly tokens: {
    readonly prefix: number;
    readonly call: number;
    readonly labels: readonly [number, number];
  };
  /** Wall time in ms, queueing included. */
  readonly ms: number;
  /** True when this definition was scored before and no forward pass ran. */
  readonly cached: boolean;
}

/** The words that answer the text questions: `Yes` (it carries instructions) is the dangerous one. */
export const DEFAULT_TEXT_VERBALIZER: Verbalizer = Object.freeze({ safe: 'No', dangerous: 'Yes' });

/** Longest text kept whole in the prompt; a longer one keeps its head and tail around a marker. */
export const TEXT_LIMIT = 4000;
/** Definitions whose scores the probe remembers; the least recently used is dropped past this. */
export const DEFINITION_CACHE_SIZE = 1024;

/**
 * The text a tool definition is probed as: its description and input schema (canonical JSON). Pass it
 * with the tool's name, `{ kind: 'definition', text: definitionText(def), tool: def.name }`.
 */
export function definitionText(def: Pick<ToolDefinition, 'description' | 'inputSchema'>): string {
  const schema = canonicalize(def.inputSchema, { maxTotalChars: TEXT_LIMIT }).text;
  return `Description: ${def.description ?? ''}\nInput schema: ${schema}`;
}

/**
 * Renders a text question's part of the prompt: the tool's name and the text, each a bounded JSON
 * string literal (so neither can forge prompt lines), then the question and its answer cue.
 */
export function renderText(
  template: PromptTemplate,
  input: ProbeText,
  verbalizer: Verbalizer = DEFAULT_TEXT_VERBALIZER,
): RenderedCall {
  const body = template[input.kind] ?? DEFAULT_TEMPLATE[input.kind]!;
  const tool = input.tool ?? '';
  const text = fillTemplate(body, {
    tool: JSON.stringify(cutMiddle(tool, 200)),
    text: JSON.stringify(cutMiddle(input.text, TEXT_LIMIT)),
    yes: verbalizer.dangerous,
    no: verbalizer.safe,
  });
  return { text, truncated: input.text.length > TEXT_LIMIT || tool.length > 200 };
}

/** What the probe shares with its text questions. */
export interface TextProbeContext extends QuestionContext {
  readonly template: PromptTemplate;
  readonly verbalizer: Verbalizer;
  /** Calibration key of the probe's prefix (model, prefix digest, markers); each kind extends it. */
  readonly key: string;
  readonly prefixTokens: number;
}

function checkText(input: ProbeText): void {
  if (typeof input !== 'object' || input === null || !TEXT_KINDS.includes(input.kind)) {
    const kind = typeof input === 'object' && input !== null ? String(input.kind) : String(input);
    throw probeError(
      ProbeErrorCode.InvalidConfig,
      `text kind ${kind} is unknown; expected result or definition`,
    );
  }
  if (typeof input.text !== 'string')
    throw probeError(ProbeErrorCode.InvalidConfig, 'the text to probe must be a string');
  if (input.tool !== undefined && typeof input.tool !== 'string')
    throw probeError(ProbeErrorCode.InvalidConfig, 'the tool name must be a string');
}

/**
 * Creates the probe's `classifyText`: one question per kind, each set up (verbalizer resolved,
 * content-free calibration measured) on its first use and cached like the task question. Definitions
 * are scored once: a bounded cache keyed by a hash of (tool name, text) keeps their raw answer, so a
 * second look at the same definition makes no backend call (strictness still applies afresh).
 */
export function createTextClassifier(
  ctx: TextProbeContext,
): (input: ProbeText, opts: TextClassifyOptions) => Promise<TextProbeResult> {
  const questions = new Map<TextKind, Promise<Question<ProbeText, TextKind>>>();
  const definitions = new Map<string, { r: ScoreResult; rendered: RenderedCall }>();
  const v = ctx.verbalizer;
  const question = (kind: TextKind): Promise<Question<ProbeText, TextKind>> => {
    let q = questions.get(kind);
    if (q === undefined) {
      const body = ctx.template[kind] ?? DEFAULT_TEMPLATE[kind]!;
      const digest = createHash('sha256')
        .update(JSON.stringify([body, v.safe, v.dangerous, v.leadingSpace]))
        .digest('hex')
        .slice(0, 16);
      const render = (input: ProbeText): RenderedCall => renderText(ctx.template, input, v);
      const blank = (marker: string): ProbeText => ({ kind, text: marker, tool: marker });
      q = setUpQuestion(kind, render, v, `${ctx.key}|${kind}|${digest}`, ctx, blank);
      questions.set(kind, q);
      // A failed set-up is retried by the next text that needs it.
      q.catch(() => questions.delete(kind));
    }
    return q;
  };

  return async function classifyText(input, opts) {
    const started = performance.now();
    checkText(input);
    checkStrictness(opts);
    const signal = deadlineSignal(opts, ctx.timeoutMs);
    const q = await raceDeadline(question(input.kind), signal);
    const key =
      input.kind === 'definition'
        ? createHash('sha256')
            .update(JSON.stringify([input.tool ?? '', input.text]))
            .digest('hex')
        : undefined;
    let hit = key === undefined ? undefined : definitions.get(key);
    const cached = hit !== undefined;
    if (hit === undefined) {
      const rendered = q.render(input);
      const r = await raceDeadline(ctx.score(q, rendered.text, signal), signal);
      hit = { r, rendered };
    }
    const scored = answerScore(q, hit.r, hit.rendered, opts);
    if (key !== undefined) {
      definitions.delete(key); // Re-inserted last: the map's order is least recently used first.
      definitions.set(key, hit);
      if (definitions.size > DEFINITION_CACHE_SIZE) definitions.delete(definitions.keys().next().value!);
    }
    return {
      ...scored,
      alpha: opts.alpha,
      threshold: opts.threshold,
      tokens: { prefix: ctx.prefixTokens, ...scored.tokens },
      ms: performance.now() - started,
      cached,
    };
  };
}
