import { describe, expect, it } from 'vitest';
import { createPipeline, createSchemaLayer, type JsonObject } from '../../src/index.js';
import { makeCall } from './call-builder.js';

const schema: JsonObject = {
  type: 'object',
  properties: { text: { type: 'string', pattern: '^[a-z]+$' }, count: { type: 'integer', minimum: 1 } },
  required: ['text'],
  additionalProperties: false,
};

const CALLS: Record<string, unknown>[] = [
  { text: 'fine', count: 2 },
  { text: 'NOT fine', count: 2 },
  { text: 'fine', count: 0 },
  { count: 1 },
];

async function decisions(prepared: boolean) {
  let prepare: (() => void) | undefined;
  const layer = createSchemaLayer({
    onPrepare: (p) => {
      prepare = p;
    },
  });
  if (prepared) prepare?.();
  const pipeline = createPipeline([layer]);
  const out = [];
  for (const args of CALLS) {
    const { decision } = await pipeline.evaluate(makeCall(args, { tool: { inputSchema: schema } }));
    out.push({ outcome: decision.outcome, reasons: decision.reasons.map((r) => [r.code, r.detail]) });
  }
  return { prepare, out };
}

describe('schema layer readied ahead of the first call', () => {
  it('hands its caller a prepare step and decides every call exactly as a layer that was not readied', async () => {
    const ready = await decisions(true);
    const cold = await decisions(false);
    expect(typeof ready.prepare).toBe('function');
    expect(ready.out).toEqual(cold.out);
    expect(ready.out.map((d) => d.outcome)).toEqual(['allow', 'deny', 'deny', 'deny']);
  });

  it('may be prepared more than once without changing a decision', async () => {
    let prepare: (() => void) | undefined;
    const layer = createSchemaLayer({
      onPrepare: (p) => {
        prepare = p;
      },
    });
    prepare?.();
    prepare?.();
    const { decision } = await createPipeline([layer]).evaluate(
      makeCall({ text: 'UPPER' }, { tool: { inputSchema: schema } }),
    );
    expect(decision.outcome).toBe('deny');
  });
});
