import type { Principal, RecordedDecision, ToolCall, ToolDefinition } from '@governed-mcp/core';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ToolCatalogue } from './catalogue.js';
import type { Params } from './frame.js';
import type { PeerInfo } from './mediator-types.js';
import type { RequestRole } from './methods.js';
import { SessionHistory } from './session-history.js';

/** A request in flight, in either direction. */
export interface Pending {
  readonly id: RequestId;
  readonly method: string;
  /** `discovery`: the mediator's own `tools/list`. */
  readonly role: RequestRole | 'discovery';
  readonly started: number;
  readonly principal: Principal;
  /** For `tools/call`: the call's step in the session (1-based). */
  step?: number;
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
  /** What the session has shown so far: steps, classes called, flagged results, value provenance. */
  readonly history: SessionHistory;
  /** What the client declared in `initialize`; undefined until then. */
  client: ClientFacts | undefined;
  /** Questions put to the person through the client (`elicitation/create`), by `idKey` of their id. */
  readonly asks: Map<string, PendingAsk>;
}

/** What the client declared of itself in `initialize`. */
export interface ClientFacts {
  /** The client declared the `elicitation` capability: a person can be asked through it. */
  readonly elicitation: boolean;
  readonly name?: string;
  readonly version?: string;
}

/** A question the mediator put to the person about a request it holds, waiting for the answer. */
export interface PendingAsk {
  /** The mediator's own request id of the `elicitation/create`. */
  readonly id: string;
  /** The request held until the answer. */
  readonly pending: Pending;
  /** The request as it goes to the server if the person approves. */
  readonly forward: JSONRPCMessage;
  readonly started: number;
  readonly timer: ReturnType<typeof setTimeout>;
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
    history: new SessionHistory(),
    client: undefined,
    asks: new Map(),
  };
}
