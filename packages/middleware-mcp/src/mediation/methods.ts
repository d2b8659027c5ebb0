/**
 * The MCP methods the gate knows, by direction. Lookup is exact (a Map, so `__proto__` and friends are
 * plain misses): a method not listed here — with a trailing space, in another case, with a lookalike
 * character — is unclassified and refused.
 */

/** What the mediator does with a request. */
export type RequestRole =
  /** Protocol plumbing: forwarded as is. */
  | 'protocol'
  /** `tools/list`: forwarded; its result is scanned, pinned and filtered. */
  | 'tools-list'
  /** `tools/call`: always mediated. */
  | 'tool-call'
  /** A side-effecting request mediated when its kind is enabled in `MediatedKinds`. */
  | 'resource-read'
  | 'prompt-get'
  | 'sampling'
  | 'elicitation'
  /** `tasks/result`: forwarded; its result goes through the response path like a tool result. */
  | 'task-result';

/** Requests a client may send to a server. */
export const CLIENT_REQUESTS: ReadonlyMap<string, RequestRole> = new Map<string, RequestRole>([
  ['initialize', 'protocol'],
  ['ping', 'protocol'],
  ['tools/list', 'tools-list'],
  ['tools/call', 'tool-call'],
  ['resources/list', 'protocol'],
  ['resources/templates/list', 'protocol'],
  ['resources/read', 'resource-read'],
  ['resources/subscribe', 'protocol'],
  ['resources/unsubscribe', 'protocol'],
  ['prompts/list', 'protocol'],
  ['prompts/get', 'prompt-get'],
  ['completion/complete', 'protocol'],
  ['logging/setLevel', 'protocol'],
  ['tasks/get', 'protocol'],
  ['tasks/list', 'protocol'],
  ['tasks/cancel', 'protocol'],
  ['tasks/result', 'task-result'],
]);

/** Requests a server may send to a client. */
export const SERVER_REQUESTS: ReadonlyMap<string, RequestRole> = new Map<string, RequestRole>([
  ['ping', 'protocol'],
  ['roots/list', 'protocol'],
  ['sampling/createMessage', 'sampling'],
  ['elicitation/create', 'elicitation'],
  ['tasks/get', 'protocol'],
  ['tasks/list', 'protocol'],
  ['tasks/cancel', 'protocol'],
  ['tasks/result', 'task-result'],
]);

/** Notifications a client may send. */
export const CLIENT_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

/** Notifications a server may send. */
export const SERVER_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'notifications/message',
  'notifications/progress',
  'notifications/cancelled',
  'notifications/resources/updated',
  'notifications/resources/list_changed',
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/tasks/status',
  'notifications/elicitation/complete',
]);

/** True when `method` names a request in either direction (so a notification must not carry it). */
export function isRequestMethod(method: string): boolean {
  return CLIENT_REQUESTS.has(method) || SERVER_REQUESTS.has(method);
}

/** Which side-effecting requests besides `tools/call` go through the pipeline. All default to true. */
export interface MediatedKinds {
  readonly resources?: boolean;
  readonly prompts?: boolean;
  readonly sampling?: boolean;
  readonly elicitation?: boolean;
}

/** True when a request of `role` goes through the pipeline under `kinds`. */
export function isMediated(role: RequestRole, kinds: MediatedKinds): boolean {
  switch (role) {
    case 'tool-call':
      return true;
    case 'resource-read':
      return kinds.resources !== false;
    case 'prompt-get':
      return kinds.prompts !== false;
    case 'sampling':
      return kinds.sampling !== false;
    case 'elicitation':
      return kinds.elicitation !== false;
    default:
      return false;
  }
}
