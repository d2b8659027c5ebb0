import { describe, expect, it } from 'vitest';
import {
  allow,
  type CallContext,
  createPipeline,
  type Decision,
  defineLayer,
  deny,
  type Layer,
  type Next,
  type ToolCall,
} from '../src/index.js';

// Guarantees of the layer dispatch that pipeline.test.ts does not already pin down.

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'read_file', inputSchema: { type: 'object' } },
  arguments: { path: './README.md' },
  principal: { id: 'agent-1', tier: 'standard' },
};

const pass = (name: string): Layer => defineLayer(name, async (_ctx, next) => next());

/** A layer that counts how often it runs and allows. */
function counting(): { layer: Layer; runs: () => number } {
  let runs = 0;
  return {
    layer: defineLayer('counted', async () => {
      runs++;
      return allow();
    }),
    runs: () => runs,
  };
}

/** Resolves once `check` holds, polling each macrotask turn (no fixed sleep). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe('layer dispatch', () => {
  it('denies with next_called_twice when the second next() rejection escapes the layer', async () => {
    const downstream = counting();
    const twice = defineLayer('twice', async (_ctx, next) => {
      await next();
      return next();
    });
    const { decision } = await createPipeline([twice, downstream.layer]).evaluate(call);
    expect(decision).toMatchObject({ outcome: 'deny', failure: true });
    expect(decision.reasons[0]).toMatchObject({ layer: 'twice', code: 'next_called_twice' });
    expect(downstream.runs()).toBe(1);
  });

  it('runs the downstream once when a fail-open layer fails after calling next()', async () => {
    const downstream = counting();
    const advisory = defineLayer(
      'advisory',
      async (_ctx, next) => {
        await next();
        throw new Error('scoring failed');
      },
      { failMode: 'open' },
    );
    const ev = await createPipeline([advisory, downstream.layer]).evaluate(call);
    expect(ev.decision.outcome).toBe('allow');
    expect(ev.decision.reasons).toEqual([
      { layer: 'advisory', code: 'layer_threw', detail: 'scoring failed (fail-open)' },
    ]);
    expect(downstream.runs()).toBe(1);
    expect(ev.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['advisory', 'error'],
      ['counted', 'allow'],
    ]);
  });

  it("marks a layer's own verdict apart from a pass-through", async () => {
    const veto = defineLayer('veto', async (_ctx, next) => {
      const d = await next();
      return d.outcome === 'allow' ? deny('veto', 'second_thoughts') : d;
    });
    const ev = await createPipeline([pass('outer'), veto, pass('inner')]).evaluate(call);
    expect(ev.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['outer', 'pass'],
      ['veto', 'deny'],
      ['inner', 'pass'],
    ]);
  });

  it('records verdicts without times when timings are off', async () => {
    const ev = await createPipeline([pass('a'), defineLayer('b', async () => deny('b', 'no'))], {
      timings: 'off',
    }).evaluate(call);
    expect(ev.trace).toEqual([
      { layer: 'a', verdict: 'pass', us: 0 },
      { layer: 'b', verdict: 'deny', us: 0 },
    ]);
  });

  it('calls a layer as a method of its object', async () => {
    class Threshold implements Layer {
      readonly name = 'threshold';
      readonly limit = 3;
      async intercept(ctx: CallContext, next: Next): Promise<Decision> {
        return Object.keys(ctx.call.arguments).length > this.limit ? deny(this.name, 'too_many') : next();
      }
    }
    expect((await createPipeline([new Threshold()]).evaluate(call)).decision.outcome).toBe('allow');
  });

  it('keeps layers that finish after the deadline out of the answered trace', async () => {
    let release: (d: Decision) => void = () => {};
    let finished = false;
    const late = defineLayer('late', async () => {
      const d = await new Promise<Decision>((r) => {
        release = r;
      });
      finished = true;
      return d;
    });
    const ev = await createPipeline([pass('outer'), late], { deadlineMs: 20 }).evaluate(call);
    expect(ev.decision.reasons[0]).toMatchObject({ layer: 'pipeline', code: 'deadline_exceeded' });
    const answered = structuredClone(ev.trace);
    release(allow());
    await until(() => finished);
    await new Promise((r) => setImmediate(r));
    expect(ev.trace).toEqual(answered);
    expect(ev.trace.some((t) => t.layer === 'late' || t.layer === 'outer')).toBe(false);
  });
});
