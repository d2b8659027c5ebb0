/**
 * Mediation at the message layer: what the gate does with every JSON-RPC frame, in either direction.
 *
 * - Classification is exact (`methods.ts`): a method not in the table is refused (requests: JSON-RPC
 *   -32601; notifications: dropped and logged). Case variants, padding, lookalike characters and
 *   `__proto__` are misses, never matches. A notification that carries a request method (`tools/call`
 *   without an id) is dropped: a call nobody can answer is never run.
 * - Frames are copied once into plain JSON (`frame.ts`) with size and depth limits; the copy is what is
 *   decided and forwarded. Anything that is not JSON-RPC 2.0 of one unambiguous shape is refused.
 * - Batches (removed from MCP in 2025-06-18) are refused whole by default; `batches: 'mediate'` decides
 *   each element as if it came alone and answers unbatched.
 * - Ids: a request whose id is in flight in its session and direction is refused (`"1"` and `1` count as
 *   one id); responses to ids not in flight are dropped.
 * - A `tools/call` for a tool the session has not seen listed makes the mediator send its own
 *   `tools/list` (an unguessable id; pages followed), the call waits, and is decided against the
 *   listing. A tool missing from a complete listing is refused (`unlisted_tool`) through the gate, so
 *   the refusal is audited like any decision.
 * - `tools/list` results: every definition is scanned for poisoning and fingerprinted; clean first
 *   sightings are pinned; changed (`pin_mismatch`) or flagged (`tool_poisoned`) tools are hidden and
 *   their calls refused until `approveTool`. `notifications/tools/list_changed` empties the listing so
 *   the next call relists. Tools the principal may not use (`visibility`) are hidden and refused.
 * - What reaches the server is what was decided: every client request is rebuilt from the params MCP
 *   defines for its method (`forwarded-params.ts`); `_meta` keeps only `progressToken`; other keys are
 *   dropped, logged (`params_dropped`) and, for mediated calls, noted in the decision's audit record.
 * - Every text the model reads is scanned for poisoning (signals, not phrases: `poisoning-signals.ts`):
 *   tools, `initialize` instructions and server info, resources, templates and prompts; poisoned
 *   listing items are withheld, poisoned instructions removed (`text_withheld`).
 * - Results of tools, resources, prompts and tasks, error messages and server notifications pass the
 *   secret redactor; with `redaction: 'block'` a result holding secrets is withheld.
 */
import type { Principal, ToolDefinition, TransportFacts } from '@governed-mcp/core';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { GateSource } from './audit.js';
import type { ToolStatus } from './catalogue.js';
import { createEngine } from './engine.js';
import type { FrameLimits } from './frame.js';
import { type GovernTransportOptions, governTransport as wrapTransport } from './govern-transport.js';
import type { MediatedKinds } from './methods.js';
import type { PinStore } from './pins.js';
import type { PoisonFinding } from './poisoning.js';
import type { RedactionMode, SecretPattern } from './redaction.js';

/** Who is on the client side of a connection, and how it reached the gate. */
export interface PeerInfo {
  /** The caller; the mediator's `defaultPrincipal` when absent. */
  readonly principal?: Principal;
  /** Keeps the state of concurrent sessions apart (in-flight ids, tool listing); `''` when absent. */
  readonly sessionId?: string;
  readonly transport: TransportFacts;
  /**
   * Where messages the mediator produces later go (a discovery timeout, `close()` failing calls in
   * flight). Without it those answers are dropped and only logged.
   */
  readonly deliver?: (routed: Routed) => void;
}

/** Where the messages produced from one frame go. Each list is in order. */
export interface Routed {
  readonly toServer: JSONRPCMessage[];
  readonly toClient: JSONRPCMessage[];
}

/** A structured log line (goes to stderr in the runner; never to the protocol channel). */
export interface MediationLog {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** A stable event name, e.g. `frame_refused`, `tool_hidden`, `result_redacted`. */
  readonly event: string;
  readonly code?: string;
  readonly detail?: string;
  readonly sessionId?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A listed tool as the mediator sees it, for review and (re-)approval. */
export interface ToolReview {
  readonly sessionId: string;
  readonly name: string;
  readonly status: ToolStatus;
  readonly fingerprint: string;
  readonly pinned: string | undefined;
  readonly findings: readonly PoisonFinding[];
  readonly definition: ToolDefinition;
}

/** Decides whether `principal` may see (and so call) `tool`; tier and policy filters plug in here. */
export type ToolVisibility = (tool: ToolDefinition, principal: Principal, server: string) => boolean;

/** Options of a mediator. Only `gate` is required. */
export interface MediatorOptions {
  /** The pipeline (no audit), or a gate from `createGate` (decisions and outcomes audited). */
  readonly gate: GateSource;
  /** What decision records keep of the arguments (`createGate`'s `arguments`). Default 'digest'. */
  readonly auditArguments?: 'digest' | 'full';
  /** The principal of peers that bring none. Default `{ id: 'anonymous', tier: 'standard' }`. */
  readonly defaultPrincipal?: Principal;
  /** The upstream server's name: in calls, pins and audit records. Default `''`. */
  readonly server?: string;
  /** Which side-effecting requests besides `tools/call` are mediated. All default to true. */
  readonly mediate?: MediatedKinds;
  /** Secrets in results: replaced (default), the result blocked, or left alone. */
  readonly redaction?: RedactionMode;
  /** Deployment-specific secret detectors, run in addition to the built-in rule sets. */
  readonly secretPatterns?: readonly SecretPattern[];
  /** Approved tool fingerprints; an in-memory store by default (pins live as long as the mediator). */
  readonly pins?: PinStore;
  /** Frame limits; see `DEFAULT_FRAME_LIMITS`. */
  readonly limits?: Partial<FrameLimits>;
  /** JSON-RPC batches (removed in MCP 2025-06-18): refused whole (default) or each element mediated. */
  readonly batches?: 'refuse' | 'mediate';
  /** Hides tools from `tools/list` and refuses calls to them (tier rules, policy). Default: all visible. */
  readonly visibility?: ToolVisibility;
  /** How long a call waits for the mediator's own `tools/list`, in ms. Default 10000. */
  readonly discoveryTimeoutMs?: number;
  /** Receives structured log lines. Default: none. */
  readonly log?: (line: MediationLog) => void;
}

/**
 * The message-layer gate between an MCP client and server. Feed it every frame from either side; it
 * answers where each resulting message goes. Frames it cannot parse or classify are refused, never
 * forwarded; side-effecting requests go through the gate and are audited.
 */
export interface Mediator {
  /** A frame from the client side (parsed JSON, possibly malformed/batched). */
  fromClient(frame: unknown, peer: PeerInfo): Promise<Routed>;
  /** A frame from the server side (responses, notifications, server-to-client requests). */
  fromServer(frame: unknown, peer: PeerInfo): Promise<Routed>;
  /**
   * Fails closed every request in flight in `peer`'s session (upstream crash or hang, client gone) and
   * forgets the session; the answers are returned for delivery.
   */
  failPending(peer: PeerInfo, detail: string): Promise<Routed>;
  /** Every listed tool with its status, for review. */
  tools(): ToolReview[];
  /**
   * Approves the definition with `fingerprint` as the tool's pinned definition (re-approval after a
   * change, or approval of a flagged tool). Takes effect at once for the sessions that listed it.
   */
  approveTool(name: string, fingerprint: string): void;
  /** Flushes the audit log; pending calls are failed closed. */
  close(): Promise<void>;
}

/**
 * Creates a mediator.
 * @example
 * const mediator = createMediator({ gate: createGate({ pipeline, audit }) });
 * await server.connect(governTransport(transport, mediator));
 */
export function createMediator(options: MediatorOptions): Mediator {
  return createEngine(options);
}

/** Wraps the server-side transport of an in-process SDK server: `server.connect(governTransport(t, m))`. */
export function governTransport(
  inner: Transport,
  mediator: Mediator,
  peer?: Partial<PeerInfo>,
  options?: GovernTransportOptions,
): Transport {
  return wrapTransport(inner, mediator, peer, options);
}
