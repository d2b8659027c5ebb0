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
  return write(value, options, 0, new Set());
}
