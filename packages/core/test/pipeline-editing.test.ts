import { describe, expect, it } from 'vitest';
import {
  allow,
  createPipeline,
  defineLayer,
  deny,
  ErrorCode,
  GovernedError,
  type Layer,
  type LayerPosition,
  type Pipeline,
  type ToolCall,
} from '../src/index.js';

const call: ToolCall = {
  method: 'tools/call',
  tool: { name: 'read_file', inputSchema: { type: 'object' } },
  arguments: { path: './README.md' },
  principal: { id: 'agent-1', tier: 'standard' },
};

/** A layer that records its name on the way in, then passes the call on. */
function visiting(name: string, seen: string[]): Layer {
  return defineLayer(name, async (_ctx, next) => {
    seen.push(name);
    return next();
  });
}

const namesOf = (p: Pipeline): string[] => p.layers.map((l) => l.name);

function expectInvalidConfig(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(GovernedError);
  expect((thrown as GovernedError).code).toBe(ErrorCode.InvalidConfig);
  expect((thrown as GovernedError).message).toMatch(message);
}

describe('pipeline.with()', () => {
  const base = createPipeline([
    defineLayer('schema', async (_c, n) => n()),
    defineLayer('policy', async (_c, n) => n()),
  ]);
  const mine = defineLayer('mine', async (_c, n) => n());

  it.each<[LayerPosition | undefined, string[]]>([
    [undefined, ['schema', 'policy', 'mine']],
    ['last', ['schema', 'policy', 'mine']],
    ['first', ['mine', 'schema', 'policy']],
    [{ before: 'policy' }, ['schema', 'mine', 'policy']],
    [{ before: 'schema' }, ['mine', 'schema', 'policy']],
    [{ after: 'schema' }, ['schema', 'mine', 'policy']],
    [{ after: 'policy' }, ['schema', 'policy', 'mine']],
    [{ replacing: 'policy' }, ['schema', 'mine']],
    [{ replacing: 'schema' }, ['mine', 'policy']],
  ])('places the layer at %j', (position, expected) => {
    expect(namesOf(position === undefined ? base.with(mine) : base.with(mine, position))).toEqual(expected);
  });

  it('returns a new pipeline and leaves the original unchanged', async () => {
    const seen: string[] = [];
    const original = createPipeline([visiting('a', seen), visiting('b', seen)]);
    const denying = original.with(
      defineLayer('mine', async () => deny('mine', 'no')),
      { before: 'b' },
    );
    expect(denying).not.toBe(original);
    expect(namesOf(original)).toEqual(['a', 'b']);
    expect((await original.evaluate(call)).decision.outcome).toBe('allow');
    expect(seen).toEqual(['a', 'b']);
    expect((await denying.evaluate(call)).decision).toEqual({
      outcome: 'deny',
      reasons: [{ layer: 'mine', code: 'no' }],
    });
    expect(seen).toEqual(['a', 'b', 'a']);
  });

  it('runs the added layer in its place in the onion', async () => {
    const seen: string[] = [];
    const p = createPipeline([visiting('a', seen), visiting('c', seen)]).with(visiting('b', seen), {
      after: 'a',
    });
    expect((await p.evaluate(call)).trace.map((t) => t.layer)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('keeps the options of the pipeline it came from', async () => {
    const strict = createPipeline([], { terminal: 'deny', timings: 'off' });
    const ev = await strict.with(defineLayer('a', async (_c, n) => n())).evaluate(call);
    expect(ev.decision.outcome).toBe('deny');
    expect(ev.trace).toEqual([{ layer: 'a', verdict: 'pass', us: 0 }]);
  });

  it('replaces a layer with one of the same name', async () => {
    const p = base.with(
      defineLayer('policy', async () => allow([{ layer: 'policy', code: 'custom' }])),
      { replacing: 'policy' },
    );
    expect(namesOf(p)).toEqual(['schema', 'policy']);
    expect((await p.evaluate(call)).decision.reasons).toEqual([{ layer: 'policy', code: 'custom' }]);
  });

  it('refuses a layer whose name the pipeline already has, with invalid_config', () => {
    expectInvalidConfig(
      () => base.with(defineLayer('policy', async (_c, n) => n())),
      /already has a layer named 'policy'/,
    );
    expectInvalidConfig(
      () =>
        base.with(
          defineLayer('schema', async (_c, n) => n()),
          { replacing: 'policy' },
        ),
      /already has a layer named 'schema'/,
    );
  });

  it('refuses a position that names no layer, with invalid_config', () => {
    expectInvalidConfig(() => base.with(mine, { before: 'probe' }), /no layer named 'probe'/);
    expectInvalidConfig(() => base.with(mine, { after: 'probe' }), /no layer named 'probe'/);
    expectInvalidConfig(() => base.with(mine, { replacing: 'probe' }), /no layer named 'probe'/);
  });

  it('refuses a position that is not one of the five forms, with invalid_config', () => {
    for (const bad of ['policy', 'middle', {}, { before: 'schema', after: 'policy' }, null]) {
      expectInvalidConfig(() => base.with(mine, bad as unknown as LayerPosition), /a layer position is/);
    }
  });

  it('refuses something that is not a layer, with invalid_config', () => {
    expectInvalidConfig(() => base.with({ name: 'x' } as unknown as Layer), /intercept function/);
  });
});

describe('pipeline.without()', () => {
  it('returns a new pipeline without the named layer and leaves the original unchanged', async () => {
    const original = createPipeline([
      defineLayer('schema', async (_c, n) => n()),
      defineLayer('probe', async () => deny('probe', 'unsafe')),
    ]);
    const lenient = original.without('probe');
    expect(namesOf(lenient)).toEqual(['schema']);
    expect((await lenient.evaluate(call)).decision.outcome).toBe('allow');
    expect(namesOf(original)).toEqual(['schema', 'probe']);
    expect((await original.evaluate(call)).decision.outcome).toBe('deny');
  });

  it('refuses a name the pipeline does not have, with invalid_config', () => {
    expectInvalidConfig(() => createPipeline([]).without('probe'), /no layer named 'probe'/);
  });

  it('offers no method that edits a pipeline in place', () => {
    const p = createPipeline([]) as unknown as Record<string, unknown>;
    expect(p['insert']).toBeUndefined();
    expect(p['remove']).toBeUndefined();
    expect(Object.isFrozen(createPipeline([]).layers)).toBe(true);
  });
});
