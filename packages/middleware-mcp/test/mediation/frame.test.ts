import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_FRAME_LIMITS, inspectFrame } from '../../src/mediation/frame.js';

const limits = DEFAULT_FRAME_LIMITS;

describe('frame inspection', () => {
  it('copies a frame into fresh plain JSON, keeping key order and dropping undefined members', () => {
    const frame = { b: 1, a: { y: [1, 'x', null, true], x: undefined }, c: 'z' };
    const r = inspectFrame(frame, limits);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.stringify(r.value)).toBe('{"b":1,"a":{"y":[1,"x",null,true]},"c":"z"}');
    expect(r.value).not.toBe(frame);
    expect((r.value as { a: unknown }).a).not.toBe(frame.a);
  });

  it('accepts an object referenced twice (SDK servers share schema objects) and copies it twice', () => {
    const schema = { type: 'object' };
    const r = inspectFrame({ tools: [{ inputSchema: schema }, { inputSchema: schema }] }, limits);
    expect(r.ok).toBe(true);
  });

  it('counts size across the whole frame and depth per path', () => {
    expect(
      inspectFrame({ a: 'x'.repeat(600), b: 'y'.repeat(600) }, { ...limits, maxFrameBytes: 1000 }),
    ).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    expect(inspectFrame([[[['deep']]]], { ...limits, maxDepth: 4 }).ok).toBe(true);
    expect(inspectFrame([[[[['deeper']]]]], { ...limits, maxDepth: 4 })).toMatchObject({
      ok: false,
      code: 'frame_too_deep',
    });
  });

  it('accepts an object with a null prototype, as JSON.parse variants produce', () => {
    const o = Object.assign(Object.create(null) as object, { jsonrpc: '2.0' });
    expect(inspectFrame(o, limits).ok).toBe(true);
  });
});

describe('message classification', () => {
  it('tells requests, notifications and responses apart', () => {
    expect(classify({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({ kind: 'request', id: 1 });
    expect(classify({ jsonrpc: '2.0', id: 'a', method: 'ping', params: {} })).toMatchObject({
      kind: 'request',
      id: 'a',
    });
    expect(classify({ jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({
      kind: 'notification',
    });
    expect(classify({ jsonrpc: '2.0', id: 1, result: {} })).toMatchObject({ kind: 'response' });
    expect(classify({ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'm' } })).toMatchObject({
      kind: 'response',
    });
  });

  it('refuses ambiguous or malformed responses', () => {
    for (const m of [
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } },
      { jsonrpc: '2.0', id: 1, result: 'text' },
      { jsonrpc: '2.0', id: 1, error: { message: 'no code' } },
      { jsonrpc: '2.0', result: {} },
      { jsonrpc: '2.0', id: 1, result: {}, extra: 1 },
    ]) {
      expect(classify(m).kind).toBe('invalid');
    }
  });

  it('keeps a readable id on an invalid message so the refusal can answer it', () => {
    expect(classify({ jsonrpc: '1.0', id: 9, method: 'ping' })).toMatchObject({ kind: 'invalid', id: 9 });
  });
});
