import type { JsonObject } from './json.js';

/** Why a layer decided or noted something. `code` is stable; `detail` is for people. */
export interface Reason {
  readonly layer: string;
  readonly code: string;
  readonly detail?: string;
  /** Structured evidence (scores, spans, the rule that matched); goes into the audit record. */
  readonly data?: JsonObject;
}

/** The call may proceed. `arguments`, when set, replaces the call's arguments (e.g. redacted). */
export interface AllowDecision {
  readonly outcome: 'allow';
  readonly reasons: readonly Reason[];
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** The call must not proceed. `failure` is set when the deny comes from an evaluation error (fail-closed). */
export interface DenyDecision {
  readonly outcome: 'deny';
  readonly reasons: readonly Reason[];
  readonly failure?: true;
}

/**
 * The call may proceed only if a person approves it. `question` is what the person is asked. Where
 * nobody can be asked (a client without elicitation, a batch run), an ask is refused like a deny.
 * Across layers, a deny outranks an ask and an ask outranks an allow.
 */
export interface AskDecision {
  readonly outcome: 'ask';
  readonly reasons: readonly Reason[];
  readonly question: string;
  /** As for an allow: replaces the call's arguments if the person approves. */
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** What a layer returns. */
export type Decision = AllowDecision | DenyDecision | AskDecision;

/** How one layer took part in one call. */
export type LayerVerdict = 'pass' | 'allow' | 'deny' | 'ask' | 'error' | 'timeout';

/** One layer's part in one call, with its own time (downstream time excluded), in microseconds. */
export interface LayerTrace {
  readonly layer: string;
  readonly verdict: LayerVerdict;
  readonly us: number;
}

/** The pipeline's answer for one call: the decision, how each layer took part, and the total time. */
export interface Evaluation {
  readonly decision: Decision;
  readonly trace: readonly LayerTrace[];
  readonly elapsedUs: number;
}

const NO_REASONS: readonly Reason[] = Object.freeze([]);

/** An allow with optional reasons. */
export function allow(reasons: readonly Reason[] = NO_REASONS): AllowDecision {
  return { outcome: 'allow', reasons };
}

/** One reason, with only the fields given (audit records keep no empty keys). */
function reasonOf(layer: string, code: string, detail?: string, data?: JsonObject): Reason {
  return detail === undefined
    ? { layer, code }
    : data === undefined
      ? { layer, code, detail }
      : { layer, code, detail, data };
}

/** A deny from `layer` with a code and a message for people. */
export function deny(layer: string, code: string, detail?: string, data?: JsonObject): DenyDecision {
  return { outcome: 'deny', reasons: [reasonOf(layer, code, detail, data)] };
}

/** An ask from `layer`: the call proceeds only if a person answers yes to `question`. */
export function ask(
  layer: string,
  code: string,
  question: string,
  detail?: string,
  data?: JsonObject,
): AskDecision {
  return { outcome: 'ask', reasons: [reasonOf(layer, code, detail, data)], question };
}

/** The same decision with one more reason appended (decisions are immutable). */
export function withReason<D extends Decision>(decision: D, reason: Reason): D {
  return { ...decision, reasons: [...decision.reasons, reason] };
}

/** True when `value` has the shape of a Decision. Used to catch layers that return garbage. */
export function isDecision(value: unknown): value is Decision {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { outcome?: unknown; reasons?: unknown; question?: unknown };
  if (!Array.isArray(v.reasons)) return false;
  if (v.outcome === 'ask') return typeof v.question === 'string' && v.question.length > 0;
  return v.outcome === 'allow' || v.outcome === 'deny';
}
