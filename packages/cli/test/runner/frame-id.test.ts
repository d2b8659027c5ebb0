import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../src/runner/line-framing.js';

// A request frame over the stdio frame limit is answered with its own id, found by a
// bounded scan of the line (never by parsing or buffering it whole), so the client is not left waiting.

const MiB = 1024 * 1024;
const big = (n: number): string => 'x'.repeat(n);

function decodeInChunks(line: string, limit = 4 * MiB, chunk = 64 * 1024) {
  const d = new LineDecoder(limit);
  const buf = Buffer.from(`${line}\n`);
  const out = [];
  for (let i = 0; i < buf.length; i += chunk) out.push(...d.push(buf.subarray(i, i + chunk)));
  return out;
}

describe('the id of an oversized or unparsable line', () => {
  const cases: [string, string, string | number | null][] = [
    ['id first', `{"id":17,"jsonrpc":"2.0","method":"tools/call","params":{"a":"${big(5 * MiB)}"}}`, 17],
    [
      'id last',
      `{"jsonrpc":"2.0","method":"tools/call","params":{"a":"${big(5 * MiB)}"},"id":"last-one"}`,
      'last-one',
    ],
    [
      'id after huge nested params holding decoy ids',
      `{"jsonrpc":"2.0","params":{"id":1,"x":[{"id":2},"\\"id\\":3","${big(5 * MiB)}"]},"method":"m","id":99}`,
      99,
    ],
    ['id with spaces around the colon', `{ "id" :  -5 , "params": "${big(5 * MiB)}" }`, -5],
    ['a string id holding escapes', `{"params":"${big(5 * MiB)}","id":"a\\"b\\\\c"}`, 'a"b\\c'],
    ['no id at all (a notification)', `{"jsonrpc":"2.0","method":"m","params":"${big(5 * MiB)}"}`, null],
    ['an id that is an object', `{"id":{"x":1},"params":"${big(5 * MiB)}"}`, null],
    ['an id that is a fraction', `{"id":1.5,"params":"${big(5 * MiB)}"}`, null],
    ['an id only inside a string', `{"params":"\\"id\\":7 ${big(5 * MiB)}"}`, null],
    ['a batch (array) line', `[{"id":1,"params":"${big(5 * MiB)}"}]`, null],
    [
      'an id string longer than any id the gate accepts',
      `{"id":"${'i'.repeat(4096)}","params":"${big(5 * MiB)}"}`,
      null,
    ],
    ['a key that merely ends in id', `{"xid":3,"params":"${big(5 * MiB)}"}`, null],
  ];
  for (const [label, line, id] of cases) {
    it(`reports too_large with the request's id: ${label}`, () => {
      const [out] = decodeInChunks(line);
      expect(out).toMatchObject({ ok: false, reason: 'too_large', id });
    });
  }

  it('finds the id of a frame that is not valid JSON', () => {
    const [out] = decodeInChunks('{"jsonrpc":"2.0","id":5,"method":"ping",');
    expect(out).toMatchObject({ ok: false, reason: 'parse_error', id: 5 });
  });

  it('keeps memory bounded while discarding: the held parts stay under the limit', () => {
    const d = new LineDecoder(1024);
    for (let i = 0; i < 200; i++) expect(d.push(Buffer.from(big(64 * 1024)))).toEqual([]);
    expect(d.heldBytes).toBeLessThanOrEqual(1024);
    const [out] = d.push(Buffer.from(',"id":8}\n'));
    expect(out).toMatchObject({ ok: false, reason: 'too_large', id: null });
  });

  it('still decodes ordinary frames after an oversized one', () => {
    const out = decodeInChunks(`{"id":1,"p":"${big(5 * MiB)}"}\n{"id":2,"method":"ping"}`);
    expect(out[0]).toMatchObject({ reason: 'too_large', id: 1 });
    expect(out[1]).toMatchObject({ ok: true, value: { id: 2, method: 'ping' } });
  });
});
