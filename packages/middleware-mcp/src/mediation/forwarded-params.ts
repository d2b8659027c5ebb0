/**
 * What a client request may carry to the server: per method, the params keys MCP defines for it. The
 * mediator rebuilds every forwarded request from this list, so a key the gate did not decide on (an
 * extra top-level key, `_meta.arguments`, a second `arguments`) never reaches the upstream; the SDK
 * hands `_meta` to tool handlers, so it is trimmed to the one field MCP defines for the client:
 * `progressToken` (a string or an integer). Dropped keys are reported, so an operator sees them.
 */
import type { Params } from './frame.js';

/** Params keys each client request may carry besides `_meta` (MCP 2025-06-18 and the task extension). */
const CLIENT_PARAMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['initialize', ['protocolVersion', 'capabilities', 'clientInfo']],
  ['ping', []],
  ['tools/list', ['cursor']],
  ['tools/call', ['name', 'arguments', 'task']],
  ['resources/list', ['cursor']],
  ['resources/templates/list', ['cursor']],
  ['resources/read', ['uri']],
  ['resources/subscribe', ['uri']],
  ['resources/unsubscribe', ['uri']],
  ['prompts/list', ['cursor']],
  ['prompts/get', ['name', 'arguments']],
  ['completion/complete', ['ref', 'argument', 'context']],
  ['logging/setLevel', ['level']],
  ['tasks/get', ['taskId']],
  ['tasks/list', ['cursor']],
  ['tasks/cancel', ['taskId']],
  ['tasks/result', ['taskId']],
]);

/** The params to forward and the key paths left out (`command`, `_meta.arguments`, …). */
export interface TrimmedParams {
  readonly params: Params | undefined;
  readonly dropped: readonly string[];
}

/** A progress token MCP allows: a string or a safe integer. */
function isProgressToken(v: unknown): v is string | number {
  return (typeof v === 'string' && v.length <= 256) || Number.isSafeInteger(v);
}

function label(key: string): string {
  return JSON.stringify(key.slice(0, 64)).slice(1, -1);
}

/**
 * The `_meta` a client may send on: `{ progressToken }` when it is a string or integer. Every other
 * field is listed in `dropped` under `_meta.`.
 */
function trimMeta(meta: unknown, dropped: string[]): { progressToken: string | number } | undefined {
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    dropped.push('_meta');
    return undefined;
  }
  let token: string | number | undefined;
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'progressToken' && isProgressToken(v)) token = v;
    else dropped.push(`_meta.${label(k)}`);
  }
  return token === undefined ? undefined : { progressToken: token };
}

/** A `tools/call` task request keeps only its `ttl` (a non-negative integer). */
function trimTask(task: unknown, dropped: string[]): { ttl?: number } | undefined {
  if (typeof task !== 'object' || task === null || Array.isArray(task)) {
    dropped.push('task');
    return undefined;
  }
  const out: { ttl?: number } = {};
  for (const [k, v] of Object.entries(task)) {
    if (k === 'ttl' && Number.isSafeInteger(v) && (v as number) >= 0) out.ttl = v as number;
    else dropped.push(`task.${label(k)}`);
  }
  return out;
}

/**
 * Rebuilds the params of a client request of `method` from its allow-list: known keys are copied (own
 * properties only, so `__proto__` and friends are plain drops), `_meta` keeps only `progressToken`.
 * A method without a list (not a client request) keeps nothing.
 * @example
 * trimParams('resources/read', { uri: 'file:///a', command: 'id' });
 * // { params: { uri: 'file:///a' }, dropped: ['command'] }
 */
export function trimParams(method: string, params: Params | undefined): TrimmedParams {
  if (params === undefined) return { params: undefined, dropped: [] };
  const allowed = CLIENT_PARAMS.get(method) ?? [];
  const dropped: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === '_meta') continue;
    if (!allowed.includes(k)) dropped.push(label(k));
    else if (k === 'task' && method === 'tools/call') {
      const task = trimTask(v, dropped);
      if (task !== undefined) out.task = task;
    } else out[k] = v;
  }
  const meta = trimMeta(params._meta, dropped);
  if (meta !== undefined) out._meta = meta;
  return { params: out, dropped };
}
