import { LayerCode } from './codes.js';

/** Structural limits on tool arguments, checked before any schema validator runs. */
export interface ArgumentLimits {
  /** Deepest nesting of objects and arrays (the top-level object is depth 1). */
  readonly maxDepth: number;
  /** Approximate serialized size: string lengths, key lengths and a few units per scalar. */
  readonly maxBytes: number;
  /** Longest string value or key, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Longest array. */
  readonly maxArrayLength: number;
  /** Most keys in one object. */
  readonly maxKeys: number;
  /** Most values (objects, arrays and scalars) in all. */
  readonly maxNodes: number;
}

/** Safe defaults: generous for real tools, small enough that a hostile call cannot stall the gate. */
export const DEFAULT_ARGUMENT_LIMITS: ArgumentLimits = Object.freeze({
  maxDepth: 32,
  maxBytes: 4 * 1024 * 1024,
  // One string may be as large as the whole budget: writing a lock file or a bundled asset is ordinary
  // work, and `maxBytes` (like the runner's frame limit) already bounds the total.
  maxStringLength: 4 * 1024 * 1024,
  maxArrayLength: 10_000,
  maxKeys: 1_000,
  maxNodes: 100_000,
});

/** Why a value was rejected: a layer code, a JSON pointer to the value and a message. */
export interface ArgumentProblem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// Frames of the walk, reused between calls: the walk is synchronous, so no two walks interleave.
const values: object[] = [];
const depths: number[] = [];
const parents: number[] = [];
const keys: string[] = [];

function pointer(frame: number, last?: string): string {
  const parts: string[] = last === undefined ? [] : [last];
  for (let f = frame; f > 0; f = parents[f] as number) parts.push(keys[f] as string);
  return parts.length === 0
    ? ''
    : `/${parts
        .reverse()
        .map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/')}`;
}

function isCycle(frame: number, value: object): boolean {
  for (let f = frame; f >= 0; f = f === 0 ? -1 : (parents[f] as number)) if (values[f] === value) return true;
  return false;
}

function scalarProblem(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : `${v} is not a JSON number`;
    case 'undefined':
      return 'undefined is not a JSON value';
    default:
      return `a ${typeof v} is not a JSON value`;
  }
}

/**
 * Walks `root` once, iteratively, and reports the first value that is not plain JSON (functions,
 * symbols, bigints, undefined, NaN/Infinity, cycles, class instances, symbol keys), a prototype-
 * polluting key, or a breached limit. Returns undefined when the value is acceptable.
 */
export function checkArguments(
  root: unknown,
  limits: ArgumentLimits = DEFAULT_ARGUMENT_LIMITS,
  options: { forbidKeys?: boolean } = {},
): ArgumentProblem | undefined {
  const forbid = options.forbidKeys ?? true;
  if (typeof root !== 'object' || root === null) {
    return { code: LayerCode.ArgumentsNotJson, path: '', message: 'arguments must be an object' };
  }
  values.length = 0;
  let nodes = 0;
  let bytes = 0;
  let count = 1;
  values[0] = root;
  depths[0] = 1;
  parents[0] = -1;
  keys[0] = '';
  const stack: number[] = [0];
  const fail = (code: string, frame: number, message: string, key?: string): ArgumentProblem => {
    const problem = { code, path: pointer(frame, key), message };
    values.length = 0;
    return problem;
  };
  while (stack.length > 0) {
    const f = stack.pop() as number;
    const obj = values[f] as object;
    const depth = depths[f] as number;
    const isArray = Array.isArray(obj);
    if (!isArray) {
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        return fail(
          LayerCode.ArgumentsNotJson,
          f,
          `a ${obj.constructor?.name ?? 'non-plain'} object is not JSON`,
        );
      }
      if (Object.getOwnPropertySymbols(obj).length > 0) {
        return fail(LayerCode.ArgumentsNotJson, f, 'symbol keys are not JSON');
      }
    }
    const entries = isArray ? (obj as unknown[]) : undefined;
    const names = isArray ? undefined : Object.keys(obj);
    const n = isArray ? (entries as unknown[]).length : (names as string[]).length;
    if (isArray ? n > limits.maxArrayLength : n > limits.maxKeys) {
      return fail(LayerCode.ArgumentsTooLarge, f, `${n} ${isArray ? 'items' : 'keys'} exceed the limit`);
    }
    nodes += n;
    if (nodes > limits.maxNodes) return fail(LayerCode.ArgumentsTooLarge, f, 'too many values in all');
    for (let i = 0; i < n; i++) {
      const key = isArray ? String(i) : ((names as string[])[i] as string);
      const v = isArray ? (entries as unknown[])[i] : (obj as Record<string, unknown>)[key];
      if (!isArray) {
        if (forbid && FORBIDDEN_KEYS.has(key)) {
          return fail(LayerCode.ArgumentsForbiddenKey, f, `the key '${key}' is not allowed`, key);
        }
        if (key.length > limits.maxStringLength)
          return fail(LayerCode.ArgumentsTooLarge, f, 'a key is too long');
        bytes += key.length + 3;
      }
      if (typeof v === 'string') {
        if (v.length > limits.maxStringLength) {
          return fail(LayerCode.ArgumentsTooLarge, f, `a string of ${v.length} exceeds the limit`, key);
        }
        bytes += v.length + 2;
      } else if (typeof v === 'object' && v !== null) {
        if (depth + 1 > limits.maxDepth) {
          return isCycle(f, v)
            ? fail(LayerCode.ArgumentsNotJson, f, 'the arguments contain a cycle', key)
            : fail(LayerCode.ArgumentsTooLarge, f, `nesting deeper than ${limits.maxDepth}`, key);
        }
        values[count] = v;
        depths[count] = depth + 1;
        parents[count] = f;
        keys[count] = key;
        stack.push(count++);
        bytes += 2;
      } else {
        const problem = v === null ? undefined : scalarProblem(v);
        if (problem !== undefined) return fail(LayerCode.ArgumentsNotJson, f, problem, key);
        bytes += 5;
      }
      if (bytes > limits.maxBytes)
        return fail(LayerCode.ArgumentsTooLarge, f, `more than ${limits.maxBytes} bytes`);
    }
  }
  values.length = 0;
  return undefined;
}
