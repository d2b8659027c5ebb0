import {
  type Decision,
  type DenyDecision,
  isDecision,
  type LayerTrace,
  type LayerVerdict,
} from './decision.js';
import { ErrorCode, GovernedError } from './errors.js';
import type { CallContext, Layer, Next } from './layer.js';

/** Per-call bookkeeping of a composed pipeline. */
export class RunState {
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
}

/** A composed pipeline: runs the layers for one call. Never rejects: every failure becomes a deny. */
export type Composed = (ctx: CallContext, state: RunState) => Promise<Decision>;

const MAX_DETAIL = 300;

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function failure(layer: string, code: string, detail: string): DenyDecision {
  return { outcome: 'deny', reasons: [{ layer, code, detail }], failure: true };
}

function codeOf(err: unknown): string {
  return err instanceof GovernedError &&
    (err.code === ErrorCode.LayerTimeout || err.code === ErrorCode.NextCalledTwice)
    ? err.code
    : ErrorCode.LayerThrew;
}

function withTimeout(p: Promise<Decision>, ms: number, layer: string): Promise<Decision> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () =>
        reject(new GovernedError(ErrorCode.LayerTimeout, `layer '${layer}' exceeded its ${ms} ms budget`)),
      ms,
    );
    p.then(
      (d) => {
        clearTimeout(t);
        resolve(d);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Composes layers in onion order. The last layer's `next()` resolves to `terminal` (allow by default).
 * A layer that throws, rejects, resolves to a non-decision, calls `next()` twice, resolves before its
 * downstream settled, or outlives its `timeoutMs` yields a deny with `failure: true` and a distinct code,
 * unless it is marked `failMode: 'open'`, in which case the rest of the pipeline decides and the failure
 * is appended as a reason. With `timed` false, traces carry verdicts but no times.
 */
export function compose(layers: readonly Layer[], terminal: Decision, timed = true): Composed {
  const n = layers.length;
  // Two clock reads per layer are most of the cost of a trivial layer; callers may turn them off.
  const clock = timed ? () => performance.now() : () => 0;

  // Shared by every layer frame (no per-call closures): records layer i's outcome, time and trace entry.
  function finish(
    state: RunState,
    i: number,
    start: number,
    called: boolean,
    d: Decision,
    verdict: LayerVerdict,
  ): Decision {
    const total = clock() - start;
    state.totals[i] = total;
    state.outcomes[i] = d.outcome;
    if (!state.done) {
      const inner = called ? (state.totals[i + 1] ?? 0) : 0;
      state.trace.push({
        layer: layers[i]!.name,
        verdict,
        us: Math.max(0, Math.round((total - inner) * 1000)),
      });
    }
    return d;
  }

  async function fail(
    ctx: CallContext,
    state: RunState,
    i: number,
    start: number,
    downstream: Promise<Decision> | undefined,
    code: string,
    detail: string,
  ): Promise<Decision> {
    const layer = layers[i]!;
    const verdict: LayerVerdict = code === ErrorCode.LayerTimeout ? 'timeout' : 'error';
    if (layer.failMode !== 'open')
      return finish(state, i, start, downstream !== undefined, failure(layer.name, code, detail), verdict);
    const reason = { layer: layer.name, code, detail: `${detail} (fail-open)` };
    const d = await (downstream ?? dispatch(ctx, state, i + 1));
    return finish(state, i, start, true, { ...d, reasons: [...d.reasons, reason] }, verdict);
  }

  async function dispatch(ctx: CallContext, state: RunState, i: number): Promise<Decision> {
    if (i >= n) {
      state.totals[i] = 0;
      state.outcomes[i] = terminal.outcome;
      return terminal;
    }
    const layer = layers[i]!;
    const start = clock();
    let calls = 0;
    let downstream: Promise<Decision> | undefined;
    const next: Next = () => {
      if (++calls > 1) {
        return Promise.reject(
          new GovernedError(ErrorCode.NextCalledTwice, `layer '${layer.name}' called next() twice`),
        );
      }
      downstream = dispatch(ctx, state, i + 1);
      return downstream;
    };

    let d: unknown;
    try {
      const p = layer.intercept(ctx, next);
      d = await (layer.timeoutMs === undefined
        ? p
        : withTimeout(Promise.resolve(p), layer.timeoutMs, layer.name));
    } catch (err) {
      return fail(ctx, state, i, start, downstream, codeOf(err), describe(err));
    }
    if (calls > 1) {
      return fail(
        ctx,
        state,
        i,
        start,
        downstream,
        ErrorCode.NextCalledTwice,
        `layer '${layer.name}' called next() twice`,
      );
    }
    // The downstream records its total when it settles: no total yet means this layer did not await it.
    if (calls === 1 && state.totals[i + 1] === undefined) {
      const detail = `layer '${layer.name}' resolved before its downstream settled`;
      return fail(ctx, state, i, start, downstream, ErrorCode.NextNotAwaited, detail);
    }
    if (!isDecision(d)) {
      const detail = `layer '${layer.name}' returned ${describe(d)}`;
      return fail(ctx, state, i, start, downstream, ErrorCode.LayerInvalidDecision, detail);
    }
    if (d.outcome === 'deny' && d.reasons.length === 0) {
      return finish(
        state,
        i,
        start,
        calls > 0,
        { ...d, reasons: [{ layer: layer.name, code: 'denied' }] },
        'deny',
      );
    }
    return finish(
      state,
      i,
      start,
      calls > 0,
      d,
      calls === 1 && d.outcome === state.outcomes[i + 1] ? 'pass' : d.outcome,
    );
  }

  return function runLayers(ctx, state) {
    return dispatch(ctx, state, 0);
  };
}
