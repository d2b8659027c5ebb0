import { type Decision, type DenyDecision, isDecision, type LayerVerdict } from './decision.js';
import { ErrorCode, GovernedError } from './errors.js';
import type { CallContext, Layer, Next } from './layer.js';
import type { RunState } from './run-state.js';

/** Runs one call from some layer inwards. Never rejects: every failure becomes a deny. */
export type Step = (ctx: CallContext, state: RunState) => Promise<Decision>;

/** A clock in ms; a constant when the pipeline does not time its layers. */
export type Clock = () => number;

/** One layer's place in a composed pipeline, fixed at composition. */
export interface LayerSlot {
  readonly layer: Layer;
  /** The layer's index, outermost 0; its downstream is `index + 1`. */
  readonly index: number;
  /** The rest of the pipeline: what `next()` runs. */
  readonly inner: Step;
  readonly clock: Clock;
}

const MAX_DETAIL = 300;

/** A thrown value or a non-decision as one bounded line for a reason's detail. */
export function describe(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

/** The reason code of a thrown error: the pipeline's own codes pass through, anything else 'layer_threw'. */
export function codeOf(err: unknown): string {
  return err instanceof GovernedError &&
    (err.code === ErrorCode.LayerTimeout || err.code === ErrorCode.NextCalledTwice)
    ? err.code
    : ErrorCode.LayerThrew;
}

function failure(layer: string, code: string, detail: string): DenyDecision {
  return { outcome: 'deny', reasons: [{ layer, code, detail }], failure: true };
}

function calledTwice(layer: string): GovernedError {
  return new GovernedError(ErrorCode.NextCalledTwice, `layer '${layer}' called next() twice`);
}

/**
 * The bookkeeping of one layer in one call: counts `next()` calls, checks what the layer returned,
 * and records its verdict and own time (its downstream's time excluded) in the run's trace.
 */
export class LayerRun {
  /** The `next` handed to the layer: runs the downstream once; a second call rejects. */
  readonly next: Next;
  readonly #slot: LayerSlot;
  readonly #ctx: CallContext;
  readonly #state: RunState;
  readonly #start: number;
  #calls = 0;
  #downstream: Promise<Decision> | undefined;

  constructor(slot: LayerSlot, ctx: CallContext, state: RunState) {
    this.#slot = slot;
    this.#ctx = ctx;
    this.#state = state;
    this.#start = slot.clock();
    this.next = () => {
      if (++this.#calls > 1) return Promise.reject(calledTwice(slot.layer.name));
      this.#downstream = slot.inner(ctx, state);
      return this.#downstream;
    };
  }

  /** The decision of a layer that returned `result`, or a failure if the layer broke the contract. */
  conclude(result: unknown): Decision | Promise<Decision> {
    const { layer, index } = this.#slot;
    // A second next() may have been swallowed by the layer: its rejection alone is not enough.
    if (this.#calls > 1) return this.fail(ErrorCode.NextCalledTwice, calledTwice(layer.name).message);
    // The downstream settles its slot when it finishes: an unsettled one means next() was not awaited.
    if (this.#calls === 1 && !this.#state.settled(index + 1)) {
      const detail = `layer '${layer.name}' resolved before its downstream settled`;
      return this.fail(ErrorCode.NextNotAwaited, detail);
    }
    if (!isDecision(result)) {
      return this.fail(ErrorCode.LayerInvalidDecision, `layer '${layer.name}' returned ${describe(result)}`);
    }
    if (result.outcome !== 'allow' && result.reasons.length === 0) {
      const code = result.outcome === 'deny' ? 'denied' : 'asked';
      return this.#settle({ ...result, reasons: [{ layer: layer.name, code }] }, result.outcome);
    }
    // An ask outranks an allow: a layer cannot wave through a call a layer inside it wants a person to approve.
    if (this.#calls === 1 && result.outcome === 'allow' && this.#state.outcomes[index + 1] === 'ask') {
      return this.#keepAsk(result);
    }
    const passed = this.#calls === 1 && result.outcome === this.#state.outcomes[index + 1];
    return this.#settle(result, passed ? 'pass' : result.outcome);
  }

  /**
   * The decision after the layer failed with `code`: a deny marked `failure`, or, for a fail-open layer,
   * the downstream's decision (run now if the layer never called `next()`) with the failure appended.
   */
  async fail(code: string, detail: string): Promise<Decision> {
    const { layer, inner } = this.#slot;
    const verdict: LayerVerdict = code === ErrorCode.LayerTimeout ? 'timeout' : 'error';
    if (layer.failMode !== 'open') return this.#settle(failure(layer.name, code, detail), verdict);
    this.#downstream ??= inner(this.#ctx, this.#state);
    const d = await this.#downstream;
    const reason = { layer: layer.name, code, detail: `${detail} (fail-open)` };
    return this.#settle({ ...d, reasons: [...d.reasons, reason] }, verdict);
  }

  /** The downstream's ask, with any reasons the layer's allow added, settled as a pass-through. */
  async #keepAsk(result: Decision): Promise<Decision> {
    const d = (await this.#downstream) as Decision;
    const added = result.reasons.filter((r) => !d.reasons.includes(r));
    return this.#settle(added.length === 0 ? d : { ...d, reasons: [...d.reasons, ...added] }, 'pass');
  }

  #settle(d: Decision, verdict: LayerVerdict): Decision {
    const { layer, index, clock } = this.#slot;
    const total = clock() - this.#start;
    this.#state.settle(index, d.outcome, total);
    if (!this.#state.done) {
      const inner = this.#downstream === undefined ? 0 : (this.#state.totals[index + 1] ?? 0);
      this.#state.trace.push({
        layer: layer.name,
        verdict,
        us: Math.max(0, Math.round((total - inner) * 1000)),
      });
    }
    return d;
  }
}
