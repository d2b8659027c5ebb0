import { describe, expect, it } from 'vitest';
import {
  allow,
  createPipeline,
  type Decision,
  defineLayer,
  deny,
  factKey,
  type Layer,
  type ToolCall,
  withReason,
} from '../src/index.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'read_file', inputSchema: { type: 'object' } },
  arguments: { path: './README.md' },
  principal: { id: 'agent-1', tier: 'standard' },
};

const pass = (name: string): Layer => defineLayer(name, async (_ctx, next) => next());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function decide(layers: Layer[], options = {}) {
  return (await createPipeline(layers, options).evaluate(call)).decision;
}

function expectFailClosed(d: Decision, layer: string, code: string) {
  expect(d.outcome).toBe('deny');
  expect(d.outcome === 'deny' && d.failure).toBe(true);
  expect(d.reasons[0]).toMatchObject({ layer, code });
}

describe('pipeline', () => {
  it('allows a call that every layer passes, and an empty pipeline allows', async () => {
    expect((await decide([pass('a'), pass('b')])).outcome).toBe('allow');
    expect((await decide([])).outcome).toBe('allow');
  });

  it('runs layers in onion order and stops at the first deny', async () => {
    const seen: string[] = [];
    const trace = (name: string): Layer =>
      defineLayer(name, async (_ctx, next) => {
        seen.push(`>${name}`);
        const d = await next();
        seen.push(`<${name}`);
        return d;
      });
    const d = await decide([
      trace('a'),
      trace('b'),
      defineLayer('c', async () => deny('c', 'no')),
      trace('d'),
    ]);
    expect(d).toEqual({ outcome: 'deny', reasons: [{ layer: 'c', code: 'no' }] });
    expect(seen).toEqual(['>a', '>b', '<b', '<a']);
  });

  it('reports each layer in pipeline order with its verdict and own time', async () => {
    const slow = defineLayer('slow', async (_ctx, next) => {
      await sleep(20);
      return next();
    });
    const ev = await createPipeline([
      pass('outer'),
      slow,
      defineLayer('judge', async () => allow()),
    ]).evaluate(call);
    expect(ev.trace.map((t) => [t.layer, t.verdict])).toEqual([
      ['outer', 'pass'],
      ['slow', 'pass'],
      ['judge', 'allow'],
    ]);
    // The outer layer's own time excludes the 20 ms its downstream spent.
    expect(ev.trace[1]!.us).toBeGreaterThan(15_000);
    expect(ev.trace[0]!.us).toBeLessThan(15_000);
    expect(ev.elapsedUs).toBeGreaterThanOrEqual(ev.trace[1]!.us);
  });

  it('lets a layer annotate the downstream decision', async () => {
    const note = defineLayer('note', async (_ctx, next) =>
      withReason(await next(), { layer: 'note', code: 'seen', data: { score: 0.1 } }),
    );
    const d = await decide([note]);
    expect(d).toEqual({ outcome: 'allow', reasons: [{ layer: 'note', code: 'seen', data: { score: 0.1 } }] });
  });

  it('shares typed facts between layers of one call', async () => {
    const key = factKey<number>('risk');
    const d = await decide([
      defineLayer('a', async (ctx, next) => {
        ctx.set(key, 7);
        return next();
      }),
      defineLayer('b', async (ctx) => (ctx.get(key) === 7 ? deny('b', 'risky') : allow())),
    ]);
    expect(d.outcome).toBe('deny');
  });

  it('can deny at the end of the chain when configured', async () => {
    expect((await decide([pass('a')], { terminal: 'deny' })).outcome).toBe('deny');
  });
});

describe('pipeline fails closed', () => {
  it('denies when a layer throws synchronously', async () => {
    const boom: Layer = {
      name: 'boom',
      intercept: () => {
        throw new Error('kaput');
      },
    };
    expectFailClosed(await decide([pass('a'), boom]), 'boom', 'layer_threw');
  });

  it('denies when a layer rejects', async () => {
    const d = await decide([defineLayer('rej', async () => Promise.reject(new Error('no')))]);
    expectFailClosed(d, 'rej', 'layer_threw');
  });

  it('denies when a layer throws after its downstream allowed', async () => {
    const d = await decide([
      defineLayer('late', async (_ctx, next) => {
        await next();
        throw new Error('post-check failed');
      }),
    ]);
    expectFailClosed(d, 'late', 'layer_threw');
  });

  it('denies when a layer returns nothing or something that is not a decision', async () => {
    const none = defineLayer('none', (async () => undefined) as unknown as Layer['intercept']);
    expectFailClosed(await decide([none]), 'none', 'layer_invalid_decision');
    const junk = defineLayer('junk', (async () => ({
      outcome: 'maybe',
      reasons: [],
    })) as unknown as Layer['intercept']);
    expectFailClosed(await decide([junk]), 'junk', 'layer_invalid_decision');
    const sync = defineLayer('sync', (() => 'allow') as unknown as Layer['intercept']);
    expectFailClosed(await decide([sync]), 'sync', 'layer_invalid_decision');
  });

  it('denies when a layer calls next() twice, even if it swallows the error', async () => {
    let downstreamRuns = 0;
    const counter = defineLayer('counter', async () => {
      downstreamRuns++;
      return allow();
    });
    const twice = defineLayer('twice', async (_ctx, next) => {
      await next();
      try {
        await next();
      } catch {
        // swallowed
      }
      return allow();
    });
    expectFailClosed(await decide([twice, counter]), 'twice', 'next_called_twice');
    expect(downstreamRuns).toBe(1);
  });

  it('denies when a layer resolves before its downstream settled (a missing await)', async () => {
    const careless = defineLayer('careless', async (_ctx, next) => {
      void next();
      return allow();
    });
    const slow = defineLayer('slow', async () => {
      await sleep(10);
      return deny('slow', 'would have denied');
    });
    expectFailClosed(await decide([careless, slow]), 'careless', 'next_not_awaited');
  });

  it('denies a layer that outlives its own budget', async () => {
    const hang = defineLayer('hang', () => new Promise<Decision>(() => {}), { timeoutMs: 20 });
    const ev = await createPipeline([hang]).evaluate(call);
    expectFailClosed(ev.decision, 'hang', 'layer_timeout');
    expect(ev.trace).toEqual([expect.objectContaining({ layer: 'hang', verdict: 'timeout' })]);
  });

  it('denies a call that outlives its deadline and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const hang = defineLayer('hang', (ctx) => {
      signal = ctx.signal;
      return new Promise<Decision>(() => {});
    });
    const started = performance.now();
    const ev = await createPipeline([pass('a'), hang], { deadlineMs: 30 }).evaluate(call);
    expectFailClosed(ev.decision, 'pipeline', 'deadline_exceeded');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(signal?.aborted).toBe(true);
  });

  it('lets a per-call deadline override the pipeline deadline', async () => {
    const slow = defineLayer('slow', async () => {
      await sleep(50);
      return allow();
    });
    const p = createPipeline([slow], { deadlineMs: 10_000 });
    expectFailClosed((await p.evaluate(call, { deadlineMs: 10 })).decision, 'pipeline', 'deadline_exceeded');
    expect((await p.evaluate(call)).decision.outcome).toBe('allow');
  });

  it('denies malformed calls before any layer runs', async () => {
    let ran = false;
    const p = createPipeline([
      defineLayer('spy', async () => {
        ran = true;
        return allow();
      }),
    ]);
    for (const bad of [
      null,
      { ...call, arguments: null },
      { ...call, arguments: [1, 2] },
      { ...call, tool: undefined },
      { ...call, principal: undefined },
      { ...call, method: 3 },
    ]) {
      expectFailClosed((await p.evaluate(bad as unknown as ToolCall)).decision, 'pipeline', 'invalid_call');
    }
    expect(ran).toBe(false);
  });

  it('gives a deny without reasons a reason', async () => {
    const d = await decide([defineLayer('terse', async () => ({ outcome: 'deny', reasons: [] }))]);
    expect(d.reasons).toEqual([{ layer: 'terse', code: 'denied' }]);
  });

  it('skips a failing fail-open layer but records the failure', async () => {
    const advisory = defineLayer(
      'advisory',
      async () => {
        throw new Error('model offline');
      },
      { failMode: 'open' },
    );
    const d = await decide([advisory, defineLayer('judge', async () => deny('judge', 'no'))]);
    expect(d.outcome).toBe('deny');
    expect(d.reasons.map((r) => r.code)).toEqual(['no', 'layer_threw']);
    const d2 = await decide([advisory]);
    expect(d2.outcome).toBe('allow');
    expect(d2.reasons[0]).toMatchObject({ layer: 'advisory', code: 'layer_threw' });
  });
});

describe('pipeline construction', () => {
  it('refuses duplicate names and layers without a function', () => {
    expect(() => createPipeline([pass('a'), pass('a')])).toThrow(/two layers are named 'a'/);
    expect(() => createPipeline([{ name: 'x' } as unknown as Layer])).toThrow(/intercept function/);
  });
});
