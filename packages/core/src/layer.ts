import type { ToolCall } from './call.js';
import type { Decision } from './decision.js';

/** A typed key for facts that layers share within one call (e.g. the pre-filter's normalized text). */
export interface FactKey<T> {
  readonly name: string;
  /** Phantom field: carries the type only. */
  readonly __type?: T;
}

/** Creates a typed fact key. Keys compare by identity, so export the key, not its name. */
export function factKey<T>(name: string): FactKey<T> {
  return { name };
}

/** What a layer sees of one call. */
export interface CallContext {
  readonly call: ToolCall;
  /** `performance.now()` value by which the whole call must be decided. */
  readonly deadline: number;
  /** Aborted when the call's deadline passes; created on first access. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (never negative). */
  remainingMs(): number;
  /** A fact another layer recorded for this call. */
  get<T>(key: FactKey<T>): T | undefined;
  /** Records a fact for later layers of this call. */
  set<T>(key: FactKey<T>, value: T): void;
}

/** Runs the rest of the pipeline and resolves to its decision. Call it at most once. */
export type Next = () => Promise<Decision>;

/** A layer's logic: return `next()`'s decision (possibly annotated) or your own without calling it. */
export type Interceptor = (ctx: CallContext, next: Next) => Promise<Decision>;

/** What the pipeline does when a layer fails: deny (default) or skip it and record the failure. */
export type FailMode = 'closed' | 'open';

/** A named interceptor with its own limits. */
export interface Layer {
  readonly name: string;
  readonly intercept: Interceptor;
  /** This layer's own time budget in ms (its downstream included); the call's deadline still applies. */
  readonly timeoutMs?: number;
  /** Default 'closed'. 'open' is for advisory layers only; the failure is still recorded. */
  readonly failMode?: FailMode;
}

/**
 * Defines a layer.
 * @example
 * const noShell = defineLayer('no-shell', async (ctx, next) =>
 *   ctx.call.tool.name === 'shell' ? deny('no-shell', 'shell_forbidden') : next());
 */
export function defineLayer(
  name: string,
  intercept: Interceptor,
  options: { timeoutMs?: number; failMode?: FailMode } = {},
): Layer {
  return { name, intercept, ...options };
}
