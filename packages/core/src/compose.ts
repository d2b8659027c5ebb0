import type { Decision } from './decision.js';
import { ErrorCode, GovernedError } from './errors.js';
import type { Layer } from './layer.js';
import { type Clock, codeOf, describe, LayerRun, type LayerSlot, type Step } from './layer-run.js';

/** A composed pipeline: runs the layers for one call. Never rejects: every failure becomes a deny. */
export type Composed = Step;

const now: Clock = () => performance.now();
const never: Clock = () => 0;

/**
 * Composes layers in onion order. The last layer's `next()` resolves to `terminal` (allow by default).
 * A layer that throws, rejects, resolves to a non-decision, calls `next()` twice, resolves before its
 * downstream settled, or outlives its `timeoutMs` yields a deny with `failure: true` and a distinct code,
 * unless it is marked `failMode: 'open'`, in which case the rest of the pipeline decides and the failure
 * is appended as a reason. With `timed` false, traces carry verdicts but no times. A layer may return an
 * ask like a deny (without `next()`) or after `next()` (escalating an allow); an allow returned over a
 * downstream ask keeps the ask (deny > ask > allow).
 * @example
 * const run = compose([schemaLayer, policyLayer], allow());
 * const decision = await run(ctx, new RunState(2));
 */
export function compose(layers: readonly Layer[], terminal: Decision, timed = true): Composed {
  // Two clock reads per layer are most of the cost of a trivial layer; callers may turn them off.
  const clock = timed ? now : never;
  const n = layers.length;
  const ended = Promise.resolve(terminal);
  const end: Step = function terminalStep(_ctx, state) {
    state.settle(n, terminal.outcome, 0);
    return ended;
  };
  // Each layer is wrapped around the steps inside it, so the innermost is built first.
  return layers.reduceRight<Step>((inner, layer, index) => guard({ layer, index, inner, clock }), end);
}

/** Wraps one layer so that whatever it does, the step resolves to a decision and leaves a trace. */
function guard(slot: LayerSlot): Step {
  const { layer } = slot;
  const { intercept, timeoutMs, name } = layer;
  return async function guardedLayer(ctx, state) {
    const run = new LayerRun(slot, ctx, state);
    let result: unknown;
    try {
      const pending = intercept.call(layer, ctx, run.next);
      result = await (timeoutMs === undefined ? pending : withTimeout(pending, timeoutMs, name));
    } catch (err) {
      return run.fail(codeOf(err), describe(err));
    }
    return run.conclude(result);
  };
}

/** `pending`, or a rejection with `layer_timeout` once `ms` have passed. */
function withTimeout(pending: unknown, ms: number, layer: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new GovernedError(ErrorCode.LayerTimeout, `layer '${layer}' exceeded its ${ms} ms budget`)),
      ms,
    );
    Promise.resolve(pending).then(
      (d) => {
        clearTimeout(timer);
        resolve(d);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
