import type { Decision, LayerTrace } from './decision.js';

/**
 * Per-call bookkeeping of a composed pipeline, addressed by layer index (the terminal is index n).
 * One object per call rather than a closure per layer keeps a trivial layer's cost low.
 */
export class RunState {
  /** Each layer's part in the call, innermost first (the pipeline reverses it). */
  readonly trace: LayerTrace[] = [];
  /** Each settled layer's total time (its downstream included) in ms, by index; unset while running. */
  readonly totals: (number | undefined)[];
  /** Each settled layer's outcome, by index, to tell a pass-through from a layer's own verdict. */
  readonly outcomes: (Decision['outcome'] | undefined)[];
  /** Set once the call has been answered: late layers (after a deadline) leave no trace. */
  done = false;

  constructor(size: number) {
    this.totals = new Array<number | undefined>(size + 1);
    this.outcomes = new Array<Decision['outcome'] | undefined>(size + 1);
  }

  /** Records that the step at `index` settled with `outcome` after `totalMs` (its downstream included). */
  settle(index: number, outcome: Decision['outcome'], totalMs: number): void {
    this.totals[index] = totalMs;
    this.outcomes[index] = outcome;
  }

  /** True once the step at `index` has settled: a layer that returns before this did not await `next()`. */
  settled(index: number): boolean {
    return this.totals[index] !== undefined;
  }
}
