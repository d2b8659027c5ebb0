import { fileURLToPath } from 'node:url';
import { createPipeline, defineLayer, isGovernedError, type Layer, type ToolCall } from '@governed-mcp/core';
import { CANONICAL_LAYERS } from '@governed-mcp/middleware-mcp';
import { describe, expect, it } from 'vitest';
import { type CustomLayerEntry, parseProxyConfig } from '../../src/config.js';
import {
  type CustomLayer,
  type CustomLayerPosition,
  loadCustomLayers,
  placeCustomLayers,
} from '../../src/runner/custom-layers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const pass = (name: string): Layer => defineLayer(name, async (_ctx, next) => next());
const builtIns = (names: readonly string[]): Layer[] => names.map(pass);
const custom = (name: string, position: CustomLayerPosition): CustomLayer => ({
  layer: pass(name),
  position,
  module: `/layers/${name}.mjs`,
});
const names = (layers: readonly Layer[]): string[] => layers.map((l) => l.name);
const NO_PROBE = CANONICAL_LAYERS.filter((l) => l !== 'probe');

/** The entries of a config object, parsed as the proxy parses them (paths relative to the fixtures). */
function entries(customLayers: unknown[]): CustomLayerEntry[] {
  return parseProxyConfig({ customLayers }, FIXTURES).customLayers;
}

/** The invalid_config message of loading `customLayers`; fails the test when loading succeeds. */
async function refusal(customLayers: unknown[]): Promise<string> {
  const err = await loadCustomLayers(entries(customLayers)).then(
    () => new Error('expected loading to fail'),
    (e: unknown) => e,
  );
  expect(isGovernedError(err, 'invalid_config')).toBe(true);
  return (err as Error).message;
}

const bad = (name: string, extra: Record<string, unknown> = {}) => ({
  module: './layers/not-layers.mjs',
  export: name,
  before: 'policy',
  ...extra,
});

describe('placing custom layers among the built-in ones', () => {
  it('puts a layer just before or just after the built-in layer it names', () => {
    const placed = placeCustomLayers(builtIns(NO_PROBE), [
      custom('a', { before: 'policy' }),
      custom('b', { after: 'schema' }),
      custom('c', { before: 'schema' }),
      custom('d', { after: 'policy' }),
    ]);
    expect(names(placed)).toEqual([
      'c',
      'schema',
      'b',
      'tier',
      'rate-limit',
      'paths',
      'prefilter',
      'a',
      'policy',
      'd',
    ]);
  });

  it('places a layer whose anchor the layer set leaves out where that anchor would have run', () => {
    const placed = placeCustomLayers(builtIns(NO_PROBE), [
      custom('before-probe', { before: 'probe' }),
      custom('after-probe', { after: 'probe' }),
    ]);
    expect(names(placed)).toEqual([
      'schema',
      'tier',
      'rate-limit',
      'paths',
      'prefilter',
      'before-probe',
      'after-probe',
      'policy',
    ]);
    expect(names(placeCustomLayers(builtIns(['probe']), [custom('x', { before: 'schema' })]))).toEqual([
      'x',
      'probe',
    ]);
  });

  it('keeps the given order of layers that land between the same two built-in layers', () => {
    const placed = placeCustomLayers(builtIns(['schema', 'tier']), [
      custom('second-gap-1', { before: 'tier' }),
      custom('first', { before: 'schema' }),
      custom('second-gap-2', { after: 'schema' }),
      custom('second-gap-3', { before: 'tier' }),
    ]);
    expect(names(placed)).toEqual([
      'first',
      'schema',
      'second-gap-1',
      'second-gap-2',
      'second-gap-3',
      'tier',
    ]);
  });

  it('neither removes nor reorders a built-in layer, and leaves its input arrays unchanged', () => {
    const built = builtIns(CANONICAL_LAYERS);
    const extra = CANONICAL_LAYERS.flatMap((l, i) => [
      custom(`b${i}`, { before: l }),
      custom(`a${i}`, { after: l }),
    ]);
    const placed = placeCustomLayers(built, extra);
    expect(placed.filter((l) => built.includes(l))).toEqual(built);
    expect(placed).toHaveLength(built.length + extra.length);
    expect(names(built)).toEqual([...CANONICAL_LAYERS]);
    expect(names(placeCustomLayers(built, []))).toEqual([...CANONICAL_LAYERS]);
  });

  it('refuses a position that names no canonical layer with invalid_config', () => {
    expect(() =>
      placeCustomLayers(builtIns(['schema']), [
        { ...custom('x', { before: 'schema' }), position: { before: 'firewall' } as never },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_config', message: expect.stringMatching(/firewall/) }),
    );
  });
});

describe('the customLayers entry of the configuration', () => {
  it('resolves module paths against the config file and defaults the export to "default"', () => {
    const [e] = entries([{ module: './layers/default-export.mjs', after: 'tier' }]);
    expect(e).toMatchObject({
      module: `${FIXTURES}layers/default-export.mjs`,
      export: 'default',
      after: 'tier',
    });
  });

  it('refuses an unknown position name, both positions, or neither, with the entry path', () => {
    const refused = (entry: Record<string, unknown>): string => {
      try {
        entries([entry]);
      } catch (err) {
        expect(isGovernedError(err, 'invalid_config')).toBe(true);
        return (err as Error).message;
      }
      throw new Error('expected an invalid_config error');
    };
    expect(refused({ module: 'x.mjs', before: 'firewall' })).toMatch(/customLayers\.0\.before/);
    expect(refused({ module: 'x.mjs', before: 'tier', after: 'tier' })).toMatch(
      /exactly one of before, after/,
    );
    expect(refused({ module: 'x.mjs' })).toMatch(/exactly one of before, after/);
    expect(refused({ module: 'x.mjs', before: 'tier', timeoutMs: 0 })).toMatch(/customLayers\.0\.timeoutMs/);
  });
});

describe('loading custom layers', () => {
  it('calls a factory export with the entry options and runs the layer it returns', async () => {
    const [loaded] = await loadCustomLayers(
      entries([
        {
          module: './layers/spend-limit.mjs',
          export: 'spendLimit',
          before: 'policy',
          options: { tool: 'transfer', field: 'amountCents', limits: { standard: 100 } },
        },
      ]),
    );
    expect(loaded?.layer.name).toBe('spend-limit');
    expect(loaded?.position).toEqual({ before: 'policy' });
    const call = (amountCents: number): ToolCall => ({
      method: 'tools/call',
      tool: { name: 'transfer', inputSchema: { type: 'object' } },
      arguments: { to: 'x', amountCents },
      principal: { id: 'p', tier: 'standard' },
    });
    const pipeline = createPipeline([loaded?.layer as Layer]);
    expect((await pipeline.evaluate(call(100))).decision.outcome).toBe('allow');
    expect((await pipeline.evaluate(call(101))).decision).toMatchObject({
      outcome: 'deny',
      reasons: [{ layer: 'spend-limit', code: 'over_limit' }],
    });
  });

  it('takes a layer export as it is, the default export when none is named, and the entry timeout', async () => {
    const loaded = await loadCustomLayers(
      entries([
        { module: './layers/default-export.mjs', after: 'tier' },
        { module: './layers/not-layers.mjs', export: 'passes', before: 'policy', timeoutMs: 250 },
      ]),
    );
    expect(loaded.map((c) => c.layer.name)).toEqual(['audited-by-default', 'passes']);
    expect(loaded[1]?.layer.timeoutMs).toBe(250);
    expect(Object.isFrozen(loaded[0]?.layer)).toBe(true);
  });

  it('refuses a module that does not exist, throws while loading, or imports what is not installed', async () => {
    expect(await refusal([{ module: './layers/nowhere.mjs', before: 'policy' }])).toMatch(
      /customLayers\[0\]: module not found: .*nowhere\.mjs/,
    );
    expect(await refusal([{ module: './layers/fails-to-load.mjs', before: 'policy' }])).toMatch(
      /customLayers\[0\]: module .*fails-to-load\.mjs failed to load: missing LEDGER_URL/,
    );
    expect(await refusal([{ module: './layers/imports-missing.mjs', before: 'policy' }])).toMatch(
      /module .*imports-missing\.mjs failed to load: .*@governed-mcp\/no-such-package/,
    );
    expect(await refusal([{ module: './layers', before: 'policy' }])).toMatch(/module not found: .*layers$/);
  });

  it('refuses an export the module does not have, naming the ones it has', async () => {
    expect(await refusal([bad('spendLimit')])).toMatch(/has no export 'spendLimit' \(it exports: .*noName/);
    expect(await refusal([{ module: './layers/spend-limit.mjs', before: 'tier' }])).toMatch(
      /has no export 'default' \(it exports: spendLimit\)/,
    );
  });

  it('refuses an export that is not a layer: no name, no intercept function, not an object', async () => {
    expect(await refusal([bad('noName')])).toMatch(/not a layer: `name` must be/);
    expect(await refusal([bad('noIntercept')])).toMatch(
      /not a layer: 'no-intercept' has no intercept function/,
    );
    expect(await refusal([bad('notAnObject')])).toMatch(
      /not a layer: expected \{ name, intercept \}, got string/,
    );
    expect(await refusal([bad('factoryOfNothing')])).toMatch(/not a layer: .*got undefined/);
  });

  it('refuses a layer that asks to fail open or has an invalid timeout', async () => {
    expect(await refusal([bad('failOpen')])).toMatch(/failMode 'open': custom layers fail closed/);
    expect(await refusal([bad('badTimeout')])).toMatch(/invalid timeoutMs: -1/);
  });

  it('refuses a factory that throws, and options given to a layer that is no factory', async () => {
    expect(await refusal([bad('factoryThrows')])).toMatch(
      /factory 'factoryThrows' threw: no ledger configured/,
    );
    expect(await refusal([bad('passes', { options: { x: 1 } })])).toMatch(
      /options are given but export 'passes' is a layer, not a factory/,
    );
  });

  it('refuses a name of a built-in layer, of the pipeline, or of an earlier custom layer', async () => {
    expect(await refusal([bad('namedPolicy')])).toMatch(/layer name 'policy' is reserved/);
    expect(await refusal([bad('namedPipeline')])).toMatch(/layer name 'pipeline' is reserved/);
    expect(await refusal([bad('passes'), bad('passesToo')])).toMatch(
      /customLayers\[1\]: layer name 'passes' is already taken by customLayers\[0\]/,
    );
  });
});
