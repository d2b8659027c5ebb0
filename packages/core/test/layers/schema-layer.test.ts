import { describe, expect, it } from 'vitest';
import { createPipeline, createSchemaLayer, type JsonObject, LayerCode } from '../../src/index.js';
import { makeCall } from './call-builder.js';

const fileSchema: JsonObject = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1 } },
  required: ['path'],
  additionalProperties: false,
};

async function decide(args: Record<string, unknown>, inputSchema: JsonObject = fileSchema, options = {}) {
  const pipeline = createPipeline([createSchemaLayer(options)]);
  return (await pipeline.evaluate(makeCall(args, { tool: { inputSchema } }))).decision;
}

describe('schema layer', () => {
  it('allows arguments that match the input schema', async () => {
    expect((await decide({ path: '/tmp/a.txt', limit: 3 })).outcome).toBe('allow');
  });

  it('denies mismatching arguments with instancePath and message', async () => {
    const d = await decide({ path: '', limit: 0, extra: true });
    expect(d.outcome).toBe('deny');
    const reason = d.reasons[0]!;
    expect(reason.code).toBe(LayerCode.SchemaMismatch);
    const errors = (reason.data as { errors: { instancePath: string; message: string }[] }).errors;
    expect(errors.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/path', '/limit']));
    expect(reason.detail).toContain('/limit: must be >= 1');
  });

  it('validates draft-07 and 2020-12 schemas by their $schema', async () => {
    const tuple07: JsonObject = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
    };
    const tuple2020: JsonObject = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } },
    };
    expect((await decide({ pair: ['a', 1] }, tuple07)).outcome).toBe('allow');
    expect((await decide({ pair: [1, 'a'] }, tuple07)).outcome).toBe('deny');
    expect((await decide({ pair: ['a', 1] }, tuple2020)).outcome).toBe('allow');
    expect((await decide({ pair: [1, 'a'] }, tuple2020)).outcome).toBe('deny');
  });

  it('denies with schema_invalid and failure when the schema cannot compile', async () => {
    const d = await decide({ path: 'x' }, { type: 'strnig' });
    expect(d.outcome).toBe('deny');
    expect(d.reasons[0]!.code).toBe(LayerCode.SchemaInvalid);
    expect(d.outcome === 'deny' && d.failure).toBe(true);
    const unknownDialect = await decide(
      {},
      { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' },
    );
    expect(unknownDialect.reasons[0]!.code).toBe(LayerCode.SchemaInvalid);
    const remoteRef = await decide({}, { $ref: 'https://evil.example/schema.json' });
    expect(remoteRef.reasons[0]!.code).toBe(LayerCode.SchemaInvalid);
  });

  it('recompiles when a definition with the same name changes', async () => {
    const layer = createSchemaLayer();
    const pipeline = createPipeline([layer]);
    const v1 = makeCall({ path: 'x' }, { tool: { inputSchema: { type: 'object', required: ['path'] } } });
    const v2 = makeCall({ path: 'x' }, { tool: { inputSchema: { type: 'object', required: ['mode'] } } });
    expect((await pipeline.evaluate(v1)).decision.outcome).toBe('allow');
    expect((await pipeline.evaluate(v2)).decision.outcome).toBe('deny');
    expect((await pipeline.evaluate(v1)).decision.outcome).toBe('allow');
  });

  it('accepts two schemas that share an $id but differ', async () => {
    const pipeline = createPipeline([createSchemaLayer()]);
    const a = { $id: 'https://tools.example/schema.json', type: 'object', required: ['a'] };
    const b = { $id: 'https://tools.example/schema.json', type: 'object', required: ['b'] };
    expect((await pipeline.evaluate(makeCall({ a: 1 }, { tool: { inputSchema: a } }))).decision.outcome).toBe(
      'allow',
    );
    expect((await pipeline.evaluate(makeCall({ a: 1 }, { tool: { inputSchema: b } }))).decision.outcome).toBe(
      'deny',
    );
  });

  it('stays correct when the compiled-schema cache evicts', async () => {
    const pipeline = createPipeline([createSchemaLayer({ cacheSize: 2 })]);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5; i++) {
        const schema = { type: 'object', properties: { n: { const: i } } };
        const ok = await pipeline.evaluate(makeCall({ n: i }, { tool: { inputSchema: schema } }));
        const bad = await pipeline.evaluate(makeCall({ n: i + 1 }, { tool: { inputSchema: schema } }));
        expect([ok.decision.outcome, bad.decision.outcome]).toEqual(['allow', 'deny']);
      }
    }
  });
});

describe('schema layer against hostile arguments', () => {
  const open: JsonObject = { type: 'object' };

  it.each([
    ['a function', { f: () => 1 }, '/f'],
    ['a symbol', { s: Symbol('x') }, '/s'],
    ['a bigint', { n: 10n }, '/n'],
    ['undefined', { u: undefined }, '/u'],
    ['NaN', { deep: { n: Number.NaN } }, '/deep/n'],
    ['Infinity', { list: [1, Number.POSITIVE_INFINITY] }, '/list/1'],
    ['a Date', { when: new Date(0) }, '/when'],
    ['a Map', { m: new Map() }, '/m'],
  ])('rejects %s as not JSON, naming its path', async (_name, args, path) => {
    const d = await decide(args as Record<string, unknown>, open);
    expect(d.reasons[0]!.code).toBe(LayerCode.ArgumentsNotJson);
    expect((d.reasons[0]!.data as { instancePath: string }).instancePath).toBe(path);
  });

  it('rejects symbol keys and cycles', async () => {
    expect((await decide({ [Symbol('k')]: 1 }, open)).reasons[0]!.code).toBe(LayerCode.ArgumentsNotJson);
    const loop: Record<string, unknown> = { a: {} };
    (loop['a'] as Record<string, unknown>)['back'] = loop;
    const d = await decide(loop, open);
    expect(d.reasons[0]!.code).toBe(LayerCode.ArgumentsNotJson);
    expect(d.reasons[0]!.detail).toContain('cycle');
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'rejects the prototype-polluting key %s',
    async (key) => {
      const args = JSON.parse(`{"safe": {"${key}": {"isAdmin": true}}}`) as Record<string, unknown>;
      const d = await decide(args, open);
      expect(d.reasons[0]!.code).toBe(LayerCode.ArgumentsForbiddenKey);
      expect((d.reasons[0]!.data as { instancePath: string }).instancePath).toBe(`/safe/${key}`);
    },
  );

  it('enforces depth, string, array, key and size limits before validation', async () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 40; i++) {
      const child = {};
      deep['x'] = child;
      deep = child;
    }
    const limits = { maxDepth: 8, maxStringLength: 100, maxArrayLength: 10, maxKeys: 5, maxBytes: 500 };
    const code = async (args: Record<string, unknown>) =>
      (await decide(args, open, { limits })).reasons[0]?.code;
    expect(await code(root)).toBe(LayerCode.ArgumentsTooLarge);
    expect(await code({ s: 'a'.repeat(101) })).toBe(LayerCode.ArgumentsTooLarge);
    expect(await code({ a: Array.from({ length: 11 }, () => 0) })).toBe(LayerCode.ArgumentsTooLarge);
    expect(await code(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, i])))).toBe(
      LayerCode.ArgumentsTooLarge,
    );
    expect(await code({ a: 'x'.repeat(90), b: 'x'.repeat(90), c: 'x'.repeat(90), d: 'x'.repeat(90) })).toBe(
      undefined,
    );
    expect(
      await code({
        a: 'x'.repeat(99),
        b: 'x'.repeat(99),
        c: 'x'.repeat(99),
        d: 'x'.repeat(99),
        e: 'x'.repeat(99),
      }),
    ).toBe(LayerCode.ArgumentsTooLarge);
  });

  it('matches server patterns in linear time (no catastrophic backtracking)', async () => {
    const evil: JsonObject = { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } };
    const start = performance.now();
    const d = await decide({ s: `${'a'.repeat(5000)}!` }, evil);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(d.reasons[0]!.code).toBe(LayerCode.SchemaMismatch);
  });

  it('applies each of several patterns with the linear engine', async () => {
    const schema: JsonObject = {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^[a-z]+$' },
        ver: { type: 'string', pattern: '^\\d+\\.\\d+$' },
      },
    };
    expect((await decide({ id: 'abc', ver: '1.2' }, schema)).outcome).toBe('allow');
    expect((await decide({ id: 'ABC', ver: '1.2' }, schema)).outcome).toBe('deny');
    expect((await decide({ id: 'abc', ver: 'x' }, schema)).outcome).toBe('deny');
  });

  it('treats a hostile, enormous schema as unusable rather than compiling it', async () => {
    let s: JsonObject = { type: 'string' };
    for (let i = 0; i < 100; i++) s = { type: 'object', properties: { x: s } };
    expect((await decide({}, s)).reasons[0]!.code).toBe(LayerCode.SchemaInvalid);
  });
});
