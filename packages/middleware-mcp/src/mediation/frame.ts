import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { MediationCode } from './wire.js';

/** Size limits on one frame. */
export interface FrameLimits {
  /** Largest frame, as the length of its JSON text (UTF-16 code units). Default 4 MiB. */
  readonly maxFrameBytes: number;
  /** Deepest nesting of arrays and objects. Default 64. */
  readonly maxDepth: number;
  /** Longest batch (when batches are mediated). Default 32. */
  readonly maxBatch: number;
  /** Most requests in flight per session and direction; more are refused. Default 1024. */
  readonly maxInFlight: number;
}

/** The default frame limits. */
export const DEFAULT_FRAME_LIMITS: FrameLimits = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
  maxDepth: 64,
  maxBatch: 32,
  maxInFlight: 1024,
});

/** A frame the gate can read, or why not. */
export type Inspected =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: MediationCode; readonly detail: string };

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  // A JSON key '__proto__' must stay an own property, never reach the prototype.
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies a frame into fresh plain JSON while checking it: size, depth, and JSON-only values. The copy is
 * what the gate decides on and forwards, so a sender that changes its object afterwards (or exposes
 * getters) cannot make the forwarded message differ from the checked one. Iterative: no stack overflow;
 * a cycle nests without end, so the depth limit catches it.
 */
export function inspectFrame(frame: unknown, limits: FrameLimits): Inspected {
  let size = 0;
  const fail = (code: MediationCode, detail: string): Inspected => ({ ok: false, code, detail });
  const copy = (v: unknown): unknown => {
    switch (typeof v) {
      case 'string':
        size += v.length + 2;
        return v;
      case 'number':
        size += 8;
        return Number.isFinite(v) ? v : NOT_JSON;
      case 'boolean':
        size += 5;
        return v;
      case 'object':
        return v;
      default:
        return NOT_JSON;
    }
  };
  const root = copy(frame);
  if (root === NOT_JSON) return fail(MediationCode.NotJson, `a frame cannot be a ${typeof frame}`);
  if (root === null || typeof root !== 'object') return { ok: true, value: root };
  const out = { value: undefined as unknown };
  // Work items: a source container, its depth, and where its copy goes.
  const stack: [object, number, (c: unknown) => void][] = [[root, 1, (c) => (out.value = c)]];
  while (stack.length > 0) {
    const [src, depth, place] = stack.pop()!;
    if (depth > limits.maxDepth)
      return fail(MediationCode.FrameTooDeep, `nesting exceeds ${limits.maxDepth}`);
    size += 2;
    if (Array.isArray(src)) {
      const dst: unknown[] = new Array(src.length);
      place(dst);
      for (let i = 0; i < src.length; i++) {
        const c = copy(src[i]);
        if (c === NOT_JSON || c === undefined)
          return fail(MediationCode.NotJson, 'an array holds a non-JSON value');
        size += 1;
        if (c !== null && typeof c === 'object') stack.push([c, depth + 1, (x) => (dst[i] = x)]);
        else dst[i] = c;
      }
    } else {
      if (!isPlainObject(src)) return fail(MediationCode.NotJson, 'the frame holds a non-plain object');
      const dst: Record<string, unknown> = {};
      place(dst);
      for (const key of Object.keys(src)) {
        const raw = (src as Record<string, unknown>)[key];
        if (raw === undefined) continue; // JSON.stringify drops it; so do we.
        const c = copy(raw);
        if (c === NOT_JSON) return fail(MediationCode.NotJson, `property '${key.slice(0, 40)}' is not JSON`);
        size += key.length + 4;
        // Placed now (a placeholder for containers) so the copy keeps the sender's key order.
        put(dst, key, c);
        if (c !== null && typeof c === 'object') stack.push([c, depth + 1, (x) => put(dst, key, x)]);
      }
    }
    if (size > limits.maxFrameBytes) {
      return fail(MediationCode.FrameTooLarge, `frame exceeds ${limits.maxFrameBytes} bytes`);
    }
  }
  if (size > limits.maxFrameBytes)
    return fail(MediationCode.FrameTooLarge, `frame exceeds ${limits.maxFrameBytes} bytes`);
  return { ok: true, value: out.value };
}

const NOT_JSON = Symbol('not-json');

/** Params of a request or notification: a JSON object (MCP never uses positional params). */
export type Params = Readonly<Record<string, unknown>>;

/** One JSON-RPC message, classified by shape. */
export type Classified =
  | {
      readonly kind: 'request';
      readonly id: RequestId;
      readonly method: string;
      readonly params: Params | undefined;
    }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Params | undefined }
  | { readonly kind: 'response'; readonly id: RequestId; readonly result?: Params; readonly error?: Params }
  | {
      readonly kind: 'invalid';
      readonly id: RequestId | null;
      readonly code: MediationCode;
      readonly detail: string;
    };

/** A classified request. */
export type RequestMessage = Extract<Classified, { readonly kind: 'request' }>;

const MAX_ID_LENGTH = 256;

/** True for the ids MCP allows on requests: a string (bounded) or a safe integer. */
export function isRequestId(id: unknown): id is RequestId {
  return (typeof id === 'string' && id.length <= MAX_ID_LENGTH) || Number.isSafeInteger(id);
}

/**
 * The key of a request id in a table of requests in flight. Ids `"1"` and `1` share one key: they are
 * one id in flight, so the second is refused, and a peer that answers `"1"` to `1` (a server may
 * coerce one into the other) settles that request, never another one.
 */
export function idKey(id: RequestId): string {
  return String(id);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const RESPONSE_KEYS = new Set(['jsonrpc', 'id', 'result', 'error']);

/** Classifies one (inspected) message. Anything ambiguous is `invalid`, never guessed at. */
export function classify(msg: unknown): Classified {
  const invalid = (
    detail: string,
    id: RequestId | null = null,
    code: MediationCode = MediationCode.InvalidMessage,
  ): Classified => ({
    kind: 'invalid',
    id,
    code,
    detail,
  });
  if (!isObject(msg)) return invalid('a message must be a JSON object');
  const id = Object.hasOwn(msg, 'id') ? msg.id : undefined;
  const safeId = isRequestId(id) ? id : null;
  if (msg.jsonrpc !== '2.0') return invalid('\'jsonrpc\' must be "2.0"', safeId);
  if (Object.hasOwn(msg, 'method')) {
    for (const k of Object.keys(msg))
      if (!REQUEST_KEYS.has(k)) return invalid(`unexpected key '${k.slice(0, 40)}'`, safeId);
    if (typeof msg.method !== 'string') return invalid("'method' must be a string", safeId);
    const params = msg.params;
    if (params !== undefined && !isObject(params)) return invalid("'params' must be an object", safeId);
    if (id === undefined) return { kind: 'notification', method: msg.method, params };
    if (safeId === null)
      return invalid('the id must be a string or a safe integer', null, MediationCode.InvalidId);
    return { kind: 'request', id: safeId, method: msg.method, params };
  }
  for (const k of Object.keys(msg))
    if (!RESPONSE_KEYS.has(k)) return invalid(`unexpected key '${k.slice(0, 40)}'`, safeId);
  if (safeId === null) return invalid('a response needs a valid id', null, MediationCode.InvalidId);
  const hasResult = Object.hasOwn(msg, 'result');
  const hasError = Object.hasOwn(msg, 'error');
  if (hasResult === hasError) return invalid('a response has exactly one of result and error', safeId);
  if (hasResult) {
    if (!isObject(msg.result)) return invalid("'result' must be an object", safeId);
    return { kind: 'response', id: safeId, result: msg.result };
  }
  const err = msg.error;
  if (!isObject(err) || typeof err.code !== 'number' || typeof err.message !== 'string') {
    return invalid("'error' needs a numeric code and a message", safeId);
  }
  return { kind: 'response', id: safeId, error: err };
}
