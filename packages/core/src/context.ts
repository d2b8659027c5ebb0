import type { ToolCall } from './call.js';
import type { CallContext, FactKey } from './layer.js';

/** The pipeline's implementation of CallContext: facts and the abort signal are created lazily. */
export class Context implements CallContext {
  readonly call: ToolCall;
  readonly deadline: number;
  #facts: Map<FactKey<unknown>, unknown> | undefined;
  #controller: AbortController | undefined;
  #aborted: unknown;

  constructor(call: ToolCall, deadline: number) {
    this.call = call;
    this.deadline = deadline;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted !== undefined) this.#controller.abort(this.#aborted);
    }
    return this.#controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  get<T>(key: FactKey<T>): T | undefined {
    return this.#facts?.get(key) as T | undefined;
  }

  set<T>(key: FactKey<T>, value: T): void {
    if (this.#facts === undefined) this.#facts = new Map();
    this.#facts.set(key, value);
  }

  /** Aborts the signal (now, or when a layer first asks for it). */
  abort(reason: unknown): void {
    this.#aborted = reason;
    this.#controller?.abort(reason);
  }
}
