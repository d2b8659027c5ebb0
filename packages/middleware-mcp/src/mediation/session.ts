import type { Principal, RecordedDecision, ToolCall, ToolDefinition } from '@governed-mcp/core';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ToolCatalogue } from './catalogue.js';
import type { Params } from './frame.js';
import type { PeerInfo } from './mediator-types.js';
import type { RequestRole } from './methods.js';

/** A request in flight, in either direction. */
export interface Pending {
  readonly id: RequestId;
  readonly method: string;
  /** `discovery`: the mediator's own `tools/list`. */
  readonly role: RequestRole | 'discovery';
  readonly started: number;
  readonly principal: Principal;
  /** For `tools/list`: the request asked for a later page. */
  readonly cursor?: boolean;
  /** Set once the request went to the other side; until then a cancellation simply drops it. */
  forwarded?: boolean;
  call?: ToolCall;
  checked?: RecordedDecision;
  tool?: ToolDefinition;
}

/** A `tools/call` waiting for the mediator's own `tools/list`. */
export interface Parked {
  readonly pending: Pending;
  readonly params: Params;
  readonly peer: PeerInfo;
}

/** The mediator's own `tools/list`, page by page. */
export interface Discovery {
  readonly id: string;
  readonly page: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The state of one session (one client connection). */
export interface Session {
  readonly key: string;
  readonly catalogue: ToolCatalogue;
  /** Client requests forwarded to (or being decided for) the server, by `idKey`. */
  readonly fromClient: Map<string, Pending>;
  /** Server requests forwarded to the client, by `idKey`. */
  readonly fromServer: Map<string, Pending>;
  parked: Parked[];
  discovery: Discovery | undefined;
  /** The latest peer seen, for late delivery. */
  peer: PeerInfo | undefined;
}

/** Creates the state of a new session. */
export function createSession(key: string): Session {
  return {
    key,
    catalogue: new ToolCatalogue(),
    fromClient: new Map(),
    fromServer: new Map(),
    parked: [],
    discovery: undefined,
    peer: undefined,
  };
}
