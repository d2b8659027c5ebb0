import { describe, expect, it } from 'vitest';
import { idKey } from '../../src/index.js';
import { MediationCode } from '../../src/mediation/wire.js';
import { denial, harness, toolCalls } from './harness.js';

const SAMPLE = { messages: [], maxTokens: 5 };

describe('request ids in flight', () => {
  it('gives 1 and "1" one key, and keeps other spellings of a number apart', () => {
    expect(idKey(1)).toBe(idKey('1'));
    expect(idKey(-5)).toBe(idKey('-5'));
    expect(idKey(1)).not.toBe(idKey('01'));
    expect(idKey(1)).not.toBe(idKey(' 1'));
    expect(idKey(10)).not.toBe(idKey(1));
  });

  it('refuses a client request "1" while 1 is in flight, so the answer to 1 reaches only request 1', async () => {
    const h = harness();
    await h.list();
    expect(toolCalls((await h.call(1, 'read_file', { path: 'a.txt' })).toServer)).toHaveLength(1);
    const second = await h.call('1', 'read_file', { path: 'b.txt' });
    expect(second.toServer).toEqual([]);
    expect(second.toClient).toHaveLength(1);
    expect(second.toClient[0]).toMatchObject({ id: '1' });
    expect(denial(second.toClient[0])?.code).toBe(MediationCode.DuplicateId);
    const answer = await h.server({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: 'contents of a.txt' }] },
    });
    expect(answer.toClient).toEqual([
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'contents of a.txt' }] } },
    ]);
    // Request 1 is settled: a late "1" from the server answers nothing.
    const late = await h.server({ jsonrpc: '2.0', id: '1', result: { content: [] } });
    expect(late.toClient).toEqual([]);
  });

  it('delivers an answer whose id the server coerced ("1" for 1) under the id the client sent', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', { path: 'a.txt' });
    const answer = await h.server({ jsonrpc: '2.0', id: '1', result: { content: [] } });
    expect(answer.toClient).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [] } }]);
  });

  it('refuses a second server request with an id in flight even while the first is still being scanned', async () => {
    const h = harness();
    const request = (id: number | string) => ({
      jsonrpc: '2.0',
      id,
      method: 'sampling/createMessage',
      params: SAMPLE,
    });
    // Both arrive before either is decided: admission must register the first before any await.
    const [first, second] = await Promise.all([h.server(request(7)), h.server(request('7'))]);
    expect(first.toClient).toHaveLength(1);
    expect(first.toClient[0]).toMatchObject({ id: 7, method: 'sampling/createMessage' });
    expect(second.toClient).toEqual([]);
    expect(denial(second.toServer[0])?.code).toBe(MediationCode.DuplicateId);
  });
});
