import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AuditChain,
  blake3Hex,
  canonicalJson,
  createMemorySink,
  GENESIS_HASH,
  serializeRecord,
} from '../../src/index.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/audit-golden.json', import.meta.url), 'utf8'),
) as {
  canonical: { input: unknown; text: string }[];
  records: {
    fields: { seq: number; ts: string; type: string; prev: string; data: object };
    line: string;
    hash: string;
  }[];
};

describe('canonical JSON', () => {
  it('formats numbers as RFC 8785 does', () => {
    // Values from RFC 8785 appendix B and the ECMAScript shortest round-trip rule.
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [333333333.3333333, '333333333.3333333'],
      [5e-324, '5e-324'],
      [9007199254740992, '9007199254740992'],
      [0.1 + 0.2, '0.30000000000000004'],
    ];
    for (const [n, text] of cases) expect(canonicalJson(n)).toBe(text);
  });

  it('sorts keys by UTF-16 code units at every depth and omits undefined members', () => {
    expect(
      canonicalJson({
        b: 1,
        a: { d: [3, { z: 1, y: 2 }], c: undefined },
        '\u00e9': 1,
        A: 0,
        '\ud83d\ude00': 1,
        '\ufb01': 2,
      }),
    ).toBe('{"A":0,"a":{"d":[3,{"y":2,"z":1}]},"b":1,"é":1,"😀":1,"ﬁ":2}');
  });

  it('escapes strings exactly as JSON.stringify does, lone surrogates included', () => {
    expect(canonicalJson('a"\\\n\u0000\u2028\ud800')).toBe('"a\\"\\\\\\n\\u0000\u2028\\ud800"');
  });

  it('refuses what is not JSON, or marks it in lenient mode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [Number.NaN, Infinity, 10n, () => 1, Symbol('s'), new Date(0), cyclic, [undefined]]) {
      expect(() => canonicalJson(bad)).toThrow(/not canonical JSON/);
    }
    expect(canonicalJson({ n: Number.NaN }, { lenient: true })).toBe(
      '{"n":{"$unserializable":"non-finite number NaN"}}',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/too deep/);
  });

  it('matches the golden canonical vectors', () => {
    for (const { input, text } of golden.canonical) expect(canonicalJson(input)).toBe(text);
  });
});

describe('audit record hashing', () => {
  it('uses Blake3-256 (official empty-input vector)', () => {
    expect(blake3Hex('')).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('serializes the golden records to the golden lines and hashes', () => {
    for (const r of golden.records) expect(serializeRecord(r.fields)).toEqual({ line: r.line, hash: r.hash });
  });

  it('hashes the canonical body without the hash member', () => {
    const { line, hash } = serializeRecord({
      seq: 1,
      ts: '2026-01-01T00:00:00.000Z',
      type: 't',
      prev: GENESIS_HASH,
      data: {},
    });
    expect(line.endsWith(`,"hash":"${hash}"}`)).toBe(true);
    expect(blake3Hex(`${line.slice(0, -75)}}`)).toBe(hash);
  });

  it('chains the golden records through AuditChain with a fixed clock', async () => {
    const sink = createMemorySink();
    const times = golden.records.map((r) => Date.parse(r.fields.ts));
    const chain = new AuditChain(sink, { durability: 'fsync', now: () => times.shift()! });
    for (const r of golden.records) await chain.append(r.fields.type, r.fields.data);
    expect(sink.lines).toEqual(golden.records.map((r) => r.line));
  });
});
