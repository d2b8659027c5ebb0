import type { Principal, RecordedDecision, ToolCall, ToolDefinition } from '@governed-mcp/core';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { ToolCatalogue } from './catalogue.js';
import type { Params } from './frame.js';
import type { PeerInfo } from './mediator-types.js';
import type { RequestRole } from './methods.js';
import type { ResultFinding } from './result-judgement.js';

/** Most flagged results a session keeps; older ones are dropped (and counted). */
export const MAX_RESULT_FLAGS = 64;

/** A tool result that carried instructions addressed to the agent, as the session remembers it. */
export interface ResultFlag {
  readonly tool: string;
  readonly requestId: RequestId;
  /** The finding kinds, each once. */
  readonly kinds: readonly ResultFinding['kind'][];
  /** A short excerpt of the first finding. */
  readonly excerpt: string;
  /** What the response path did with the result. */
  readonly action: 'marked' | 'quarantined' | 'withheld';
}

/**
 * The flagged results of one session, bounded: at most {@link MAX_RESULT_FLAGS} (oldest dropped), so a
 * long session costs constant memory. Later layers read it to see what the session has been told.
 */
export class ResultFlags {
  readonly #flags: ResultFlag[] = [];
  #total = 0;

  /** Remembers one flagged result, dropping the oldest past the bound. */
  add(flag: ResultFlag): void {
    this.#flags.push(flag);
    this.#total++;
    if (this.#flags.length > MAX_RESULT_FLAGS) this.#flags.shift();
  }

  /** The flags kept, oldest first. */
  entries(): readonly ResultFlag[] {
    return this.#flags.slice();
  }

  /** Flagged results over the session's life, kept or dropped. */
  get total(): number {
    return this.#total;
  }

  /** Flags dropped to keep the bound. */
  get dropped(): number {
    return this.#total - this.#flags.length;
  }
}

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
  /** Tool results flagged on the response path for instructions addressed to the agent. */
  readonly resultFlags: ResultFlags;
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
    resultFlags: new ResultFlags(),
  };
}
