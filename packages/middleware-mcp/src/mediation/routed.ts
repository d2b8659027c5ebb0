import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Routed } from './mediator-types.js';

/** A routing of the given messages (none by default). */
export function routed(toServer: JSONRPCMessage[] = [], toClient: JSONRPCMessage[] = []): Routed {
  return { toServer, toClient };
}

/** Appends `b`'s messages to `a`'s. */
export function merge(a: Routed, b: Routed): Routed {
  a.toServer.push(...b.toServer);
  a.toClient.push(...b.toClient);
  return a;
}
