import type { ToolCall } from './call.js';
import { compose } from './compose.js';
import { Context } from './context.js';
import { cancelDeadline, watchDeadline } from './deadline.js';
import { allow, type Decision, type Evaluation } from './decision.js';
import { ErrorCode, GovernedError } from './errors.js';
import type { Layer } from './layer.js';
import { indexOfLayer, type LayerPosition, placeLayer } from './layer-position.js';
import { RunState } from './run-state.js';

/** The name under which the pipeline itself gives reasons (deadline, malformed call). */
export const PIPELINE_LAYER = 'pipeline';

/** Options of a pipeline. */
export interface PipelineOptions {
  /** Time budget of one call in ms, from entry to decision. Default 5000. */
  readonly deadlineMs?: number;
  /** What the end of the chain answers when every layer passed. Default 'allow'. */
  readonly terminal?: 'allow' | 'deny';
  /** Time each layer (default) or only the whole call: per-layer clocks cost ~0.15 µs a layer. */
  readonly timings?: 'layers' | 'off';
}

/** Per-call options. */
export interface EvaluateOptions {
  /** Overrides the pipeline's deadline for this call. */
  readonly deadlineMs?: number;
}

/** An ordered list of layers that decides tool calls. */
export interface Pipeline {
  readonly layers: readonly Layer[];
  /** Decides one call. Never rejects: errors, hangs and malformed calls resolve to a deny. */
  evaluate(call: ToolCall, options?: EvaluateOptions): Promise<Evaluation>;
  /**
   * A new pipeline with `layer` added at `position` (default `'last'`, the innermost); this one is
   * unchanged, so use the result. Throws `invalid_config` for an unknown layer name in `position` or a
   * name already taken (replace a layer with `{ replacing: name }`).
   * @example
   * const guarded = pipeline.with(spendLimit, { before: 'policy' });
   * const custom = pipeline.with(myPolicy, { replacing: 'policy' });
   */
  with(layer: Layer, position?: LayerPosition): Pipeline;
  /**
   * A new pipeline without the layer named `name`; this one is unchanged, so use the result.
   * Throws `invalid_config` when no layer has that name.
   * @example
   * const withoutProbe = pipeline.without('probe');
   */
  without(name: string): Pipeline;
}

function malformed(call: unknown): string | undefined {
  if (typeof call !== 'object' || call === null) return 'the call is not an object';
  const c = call as Partial<ToolCall>;
  if (typeof c.method !== 'string') return 'the call has no method';
  if (typeof c.tool !== 'object' || c.tool === null || typeof c.tool.name !== 'string') {
    return 'the call has no tool name';
  }
  const args = c.arguments;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'arguments must be an object';
  const p = c.principal;
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.tier !== 'string') {
    return 'the call has no principal';
  }
  return undefined;
}

function failClosed(code: string, detail: string): Decision {
  return { outcome: 'deny', reasons: [{ layer: PIPELINE_LAYER, code, detail }], failure: true };
}

/**
 * Creates a pipeline from layers, outermost first.
 * @example
 * const pipeline = createPipeline([schemaLayer, myLayer]);
 * const { decision } = await pipeline.evaluate(call);
 */
export function createPipeline(layers: readonly Layer[], options: PipelineOptions = {}): Pipeline {
  const names = new Set<string>();
  for (const layer of layers) {
    if (typeof layer?.intercept !== 'function' || typeof layer.name !== 'string' || layer.name === '') {
      throw new GovernedError(ErrorCode.InvalidConfig, 'every layer needs a name and an intercept function');
    }
    if (names.has(layer.name)) {
      throw new GovernedError(ErrorCode.InvalidConfig, `two layers are named '${layer.name}'`);
    }
    names.add(layer.name);
  }
  const deadlineMs = options.deadlineMs ?? 5000;
  if (!(deadlineMs > 0)) throw new GovernedError(ErrorCode.InvalidConfig, 'deadlineMs must be positive');
  const terminal: Decision =
    options.terminal === 'deny'
      ? { outcome: 'deny', reasons: [{ layer: PIPELINE_LAYER, code: 'no_layer_allowed' }] }
      : allow();
  const run = compose(layers, terminal, options.timings !== 'off');
  const frozen = Object.freeze([...layers]);

  function evaluate(call: ToolCall, opts?: EvaluateOptions): Promise<Evaluation> {
    const start = performance.now();
    const problem = malformed(call);
    if (problem !== undefined) {
      return Promise.resolve({
        decision: failClosed(ErrorCode.InvalidCall, problem),
        trace: [],
        elapsedUs: 0,
      });
    }
    const deadline = start + (opts?.deadlineMs ?? deadlineMs);
    const ctx = new Context(call, deadline);
    const state = new RunState(frozen.length);
    return new Promise<Evaluation>((resolve) => {
      const answer = (decision: Decision): void => {
        state.done = true;
        const trace = state.trace.reverse();
        resolve({ decision, trace, elapsedUs: Math.round((performance.now() - start) * 1000) });
      };
      const watch = watchDeadline(deadline, () => {
        if (state.done) return;
        const detail = `no decision within ${Math.round(deadline - start)} ms`;
        ctx.abort(new GovernedError(ErrorCode.DeadlineExceeded, detail));
        answer(failClosed(ErrorCode.DeadlineExceeded, detail));
      });
      run(ctx, state).then(
        (decision) => {
          if (state.done) return;
          cancelDeadline(watch);
          answer(decision);
        },
        (err: unknown) => {
          // compose() never rejects; this guards the guard.
          if (state.done) return;
          cancelDeadline(watch);
          answer(failClosed(ErrorCode.LayerThrew, String(err)));
        },
      );
    });
  }

  return {
    layers: frozen,
    evaluate,
    with(layer, position = 'last') {
      return createPipeline(placeLayer(frozen, layer, position), options);
    },
    without(name) {
      return createPipeline(frozen.toSpliced(indexOfLayer(frozen, name), 1), options);
    },
  };
}
