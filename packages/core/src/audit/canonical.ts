import { ErrorCode, GovernedError } from '../errors.js';

/**
 * Canonical JSON, the byte form that audit hashes cover (after RFC 8785, JCS):
 * - object members sorted by key in UTF-16 code unit order; members whose value is `undefined` omitted;
 * - no whitespace; strings escaped exactly as `JSON.stringify` does (lone surrogates as `\udXXX`);
 * - numbers in ECMAScript shortest round-trip form (`JSON.stringify`), `-0` as `0`; NaN and ±Infinity
 *   are not JSON and are refused;
 * - only plain objects, arrays, strings, finite numbers, booleans and null. Anything else (bigint,
 *   functions, symbols, class instances, cycles, nesting deeper than `maxDepth`) is refused, or, in
 *   lenient mode, written as `{"$unserializable":"<why>"}` so that an audit record is never lost.
 */
export interface CanonicalOptions {
  /** Replace unsupported values with a marker instead of throwing. Default false. */
  readonly lenient?: boolean;
  /** Maximum nesting depth. Default 64. */
  readonly maxDepth?: number;
}

/** Something that writes its own canonical form (e.g. a digest computed at serialization time). */
export interface CanonicalValue {
  toCanonical(options: CanonicalOptions): string;
  /**
   * The same form as a plain JSON value (a string, say), when there is one: lets the serializer keep
   * its native fast path. `JSON.stringify(toCanonicalValue())` must equal `toCanonical(options)`.
   */
  toCanonicalValue?(options: CanonicalOptions): string | number | boolean | null;
}

function isCanonicalValue(v: object): v is CanonicalValue {
  return typeof (v as Partial<CanonicalValue>).toCanonical === 'function';
}

function refuse(why: string, lenient: boolean): string {
  if (!lenient) throw new GovernedError(ErrorCode.NotCanonical, `not canonical JSON: ${why}`);
  return `{"$unserializable":${JSON.stringify(why)}}`;
}

function write(value: unknown, options: CanonicalOptions, depth: number, seen: Set<object>): string {
  const lenient = options.lenient === true;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : refuse(`non-finite number ${value}`, lenient);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return refuse(typeof value, lenient);
  }
  if (value === null) return 'null';
  if (isCanonicalValue(value)) return value.toCanonical(options);
  if (depth >= (options.maxDepth ?? 64)) return refuse('nesting too deep', lenient);
  if (seen.has(value)) return refuse('cycle', lenient);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out +=
        item === undefined ? refuse('undefined in array', lenient) : write(item, options, depth + 1, seen);
    }
    out += ']';
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      seen.delete(value);
      return refuse(`instance of ${(value as object).constructor?.name ?? 'unknown class'}`, lenient);
    }
    const keys = Object.keys(value).sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += JSON.stringify(key);
      out += ':';
      out += write(v, options, depth + 1, seen);
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}

/** The canonical JSON text of `value`. Throws GovernedError('not_canonical') unless `lenient`. */
export function canonicalJson(value: unknown, options: CanonicalOptions = {}): string {
  // Fast path: a copy of the value with its object members in canonical order (subtrees already in
  // order are shared, not copied), written by the native JSON.stringify. It gives up, and the writer
  // above runs instead, where the native serializer could differ: integer-like keys (which JavaScript
  // orders numerically), a `toJSON` anywhere, a CanonicalValue without a plain form.
  if (
    (Object.prototype as { toJSON?: unknown }).toJSON === undefined &&
    (Array.prototype as { toJSON?: unknown }).toJSON === undefined
  ) {
    const prepared = prepare(value, options, 0, []);
    if (prepared !== GIVE_UP)
      return prepared === NOT_JSON ? write(value, options, 0, new Set()) : JSON.stringify(prepared);
  }
  return write(value, options, 0, new Set());
}

/**
 * The same text by the plain recursive writer alone: what the fast path falls back on, and the reference
 * the tests compare it with.
 */
export function canonicalJsonReference(value: unknown, options: CanonicalOptions = {}): string {
  return write(value, options, 0, new Set());
}

/** `prepare` could not build a copy that JSON.stringify writes canonically. */
const GIVE_UP = Symbol('give up');
/** The root is not JSON at all (undefined, a function…): the writer reports it. */
const NOT_JSON = Symbol('not JSON');

function marker(why: string, options: CanonicalOptions): { $unserializable: string } {
  if (options.lenient !== true) throw new GovernedError(ErrorCode.NotCanonical, `not canonical JSON: ${why}`);
  return { $unserializable: why };
}

/**
 * The value as JSON.stringify must see it to write canonical JSON, in the writer's order of visits (so a
 * strict refusal names the same first problem). Returns `value` itself when nothing under it needs to
 * change.
 */
function prepare(value: unknown, options: CanonicalOptions, depth: number, path: object[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : marker(`non-finite number ${value}`, options);
    case 'object':
      break;
    default:
      return depth === 0 ? NOT_JSON : marker(typeof value, options);
  }
  if (value === null) return null;
  if (isCanonicalValue(value)) {
    return value.toCanonicalValue === undefined ? GIVE_UP : value.toCanonicalValue(options);
  }
  if (depth >= (options.maxDepth ?? 64)) return marker('nesting too deep', options);
  if (path.includes(value)) return marker('cycle', options);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return GIVE_UP;
  path.push(value);
  let out: unknown = value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next =
        item === undefined ? marker('undefined in array', options) : prepare(item, options, depth + 1, path);
      if (next === GIVE_UP) return GIVE_UP;
      if (next !== item && copy === undefined) copy = value.slice(0, i);
      copy?.push(next);
    }
    out = copy ?? value;
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      path.pop();
      return marker(`instance of ${(value as object).constructor?.name ?? 'unknown class'}`, options);
    }
    const keys = Object.keys(value);
    let sorted = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      // Any key that starts with a digit (a superset of the index keys) takes the writer's path.
      const c = key.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39) return GIVE_UP;
      if (i > 0 && keys[i - 1]! > key) sorted = false;
    }
    if (!sorted) keys.sort();
    // Copies have no prototype, so that a member named `__proto__` stays a member.
    let copy: Record<string, unknown> | undefined;
    if (!sorted) copy = Object.create(null) as Record<string, unknown>;
    for (const key of keys) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      const next = prepare(v, options, depth + 1, path);
      if (next === GIVE_UP) return GIVE_UP;
      if (next !== v && copy === undefined) {
        copy = Object.create(null) as Record<string, unknown>;
        for (const k of keys) {
          if (k === key) break;
          const before = (value as Record<string, unknown>)[k];
          if (before !== undefined) copy[k] = before;
        }
      }
      if (copy !== undefined) copy[key] = next;
    }
    out = copy ?? value;
  }
  path.pop();
  return out;
}
