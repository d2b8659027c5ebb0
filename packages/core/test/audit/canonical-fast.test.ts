import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonReference } from '../../src/audit/canonical.js';
import { digestOf } from '../../src/audit/hash.js';

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Keys that sort differently by code unit than by any other order people assume, index-like keys
// (which JavaScript enumerates first, numerically), and keys that are special to objects.
const KEYS = [
  'b',
  'a',
  'B',
  'aa',
  'é',
  '\u{1f600}',
  '\uff61',
  '10',
  '2',
  '0',
  '01',
  '4294967295',
  '__proto__',
  'toString',
  '',
  ' ',
];
const STRINGS = [
  '',
  'plain',
  'quote " and \\ back',
  'line\nbreak\t\u0000\u001f',
  '\ud800 lone',
  'pair \ud83d\ude00',
  'é\u0301',
  '\u2028\u2029',
];
const NUMBERS = [
  0,
  -0,
  1,
  -1.5,
  1e21,
  1e-7,
  5e-324,
  0.1 + 0.2,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];

function pick<T>(next: () => number, from: readonly T[]): T {
  return from[Math.floor(next() * from.length)]!;
}

/** A random value: mostly JSON, sometimes something canonical JSON refuses or marks. */
function value(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.3) {
    const leaf = next();
    if (leaf < 0.35) return pick(next, STRINGS);
    if (leaf < 0.6) return pick(next, NUMBERS);
    if (leaf < 0.7) return next() < 0.5;
    if (leaf < 0.78) return null;
    if (leaf < 0.82) return undefined;
    if (leaf < 0.85) return () => 1;
    if (leaf < 0.87) return 10n;
    if (leaf < 0.89) return new Date(0);
    if (leaf < 0.92) return digestOf({ z: 1, a: [1, 2] });
    return pick(next, STRINGS);
  }
  if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  const o: Record<string, unknown> = next() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
  const n = Math.floor(next() * 5);
  for (let i = 0; i < n; i++) {
    const key = pick(next, KEYS);
    Object.defineProperty(o, key, {
      value: value(next, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return o;
}

function outcome(f: () => string): { text: string } | { error: string } {
  try {
    return { text: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('canonical JSON: the native fast path', () => {
  it('writes exactly what the reference writer writes, strict and lenient, on 20,000 random values', () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const v = value(random(seed), 0);
      for (const lenient of [true, false]) {
        const fast = outcome(() => canonicalJson(v, { lenient }));
        const reference = outcome(() => canonicalJsonReference(v, { lenient }));
        if (JSON.stringify(fast) !== JSON.stringify(reference)) {
          expect({ seed, lenient, fast }).toEqual({ seed, lenient, fast: reference });
        }
      }
    }
  });

  it('keeps a member named __proto__ as a member when it reorders an object', () => {
    const v = JSON.parse('{"z":1,"__proto__":{"x":1}}') as unknown;
    expect(canonicalJson(v)).toBe('{"__proto__":{"x":1},"z":1}');
  });

  it('orders index-like keys by code unit, not numerically', () => {
    expect(canonicalJson({ 2: 'b', 10: 'a', x: [{ 1: 0, 0: 1 }] })).toBe(
      '{"10":"a","2":"b","x":[{"0":1,"1":0}]}',
    );
  });

  it('ignores toJSON, which the native serializer would call', () => {
    const hidden = { a: 1 };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'replaced', enumerable: false });
    const arr = [1, 2];
    Object.defineProperty(arr, 'toJSON', { value: () => 'replaced', enumerable: false });
    expect(canonicalJson({ hidden, arr })).toBe('{"arr":[1,2],"hidden":{"a":1}}');
    expect(canonicalJson({ own: { toJSON: () => 'x' } }, { lenient: true })).toBe(
      '{"own":{"toJSON":{"$unserializable":"function"}}}',
    );
  });

  it('ignores a toJSON planted on Object.prototype or Array.prototype', () => {
    const proto = Object.prototype as { toJSON?: unknown };
    const arrayProto = Array.prototype as { toJSON?: unknown };
    try {
      proto.toJSON = () => 'polluted';
      expect(canonicalJson({ b: [1], a: { c: 2 } })).toBe('{"a":{"c":2},"b":[1]}');
      delete proto.toJSON;
      arrayProto.toJSON = () => 'polluted';
      expect(canonicalJson({ b: [1], a: { c: 2 } })).toBe('{"a":{"c":2},"b":[1]}');
    } finally {
      delete proto.toJSON;
      delete arrayProto.toJSON;
    }
  });

  it('reports a cycle and a shared (acyclic) subtree as the reference does', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ b: shared, a: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
    const loop: Record<string, unknown> = { a: 1 };
    loop['self'] = loop;
    expect(canonicalJson(loop, { lenient: true })).toBe('{"a":1,"self":{"$unserializable":"cycle"}}');
    expect(() => canonicalJson(loop)).toThrow(/cycle/);
  });

  it('stops at the depth limit as the reference does', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    expect(canonicalJson(deep, { lenient: true })).toBe(canonicalJsonReference(deep, { lenient: true }));
    expect(() => canonicalJson(deep)).toThrow(/nesting too deep/);
  });
});
