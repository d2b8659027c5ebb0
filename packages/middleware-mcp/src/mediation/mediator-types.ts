/**
 * The mediator's contract: what it is given, what it answers, and the types every mediation module
 * shares. A leaf: it imports no mediation module that imports it back, so the module graph stays acyclic.
 */
import type { Gate, Pipeline, Principal, ToolDefinition, TransportFacts } from '@governed-mcp/core';
import type { Probe } from '@governed-mcp/probe';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ToolStatus } from './catalogue.js';
import type { FrameLimits } from './frame.js';
import type { MediatedKinds } from './methods.js';
import type { PinStore } from './pins.js';
import type { PoisonFinding } from './poisoning.js';
import type { RedactionMode, SecretPattern } from './redaction.js';
import type { ResultInstructionsMode } from './result-judgement.js';

/** What the mediator decides with: a pipeline (no audit) or a gate built with `createGate`. */
export type GateSource = Pipeline | Gate;

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

/**
 * The probe's text questions, asked by the mediator (opt-in): of each tool result the deterministic
 * judgement passed, and of each tool definition the poisoning scan passed. A `dangerous` verdict, or a
 * probe that fails or times out (fail-closed), flags the result or treats the definition as poisoned.
 */
export interface TextProbeOptions {
  /** The probe (the probe layer's, so one model is held): only `classifyText` is used. */
  readonly probe: Pick<Probe, 'classifyText'>;
  /** Ask about tool results. Default false. */
  readonly results?: boolean;
  /** Ask about tool definitions at `tools/list` (each definition once: the probe caches them). Default false. */
  readonly definitions?: boolean;
  /** Calibration strength in [0, 1] (a tier's `probe.alpha`). */
  readonly alpha: number;
  /** Danger threshold in (0, 1) (a tier's `probe.threshold`). */
  readonly threshold: number;
  /** Most time one question may take, in ms. Default: the probe's own. */
  readonly timeoutMs?: number;
}

/** Options of a mediator. Only `gate` is required. */
export interface MediatorOptions {
  /**
   * The pipeline (no audit), or a gate from `createGate` (decisions and outcomes audited). A gate is
   * taken as given: its audit chain, `arguments` and `redact` settings decide what records keep.
   */
  readonly gate: GateSource;
  /** The principal of peers that bring none. Default `{ id: 'anonymous', tier: 'standard' }`. */
  readonly defaultPrincipal?: Principal;
  /** The upstream server's name: in calls, pins and audit records. Default `''`. */
  readonly server?: string;
  /** Which side-effecting requests besides `tools/call` are mediated. All default to true. */
  readonly mediate?: MediatedKinds;
  /** Secrets in results: replaced (default), the result blocked, or left alone. */
  readonly redaction?: RedactionMode;
  /**
   * Tool results that carry instructions addressed to the agent: delivered and the session marked
   * (default, audited and logged `result_flagged`), the flagged texts replaced by a notice, or the
   * whole result withheld.
   */
  readonly resultInstructions?: ResultInstructionsMode;
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
  /**
   * How long a call the gate asks about waits for the person's answer (`elicitation/create`), in ms.
   * Past it the call is refused (`ask_timeout`). Default 120000.
   */
  readonly askTimeoutMs?: number;
  /** Receives structured log lines. Default: none. */
  readonly log?: (line: MediationLog) => void;
  /**
   * The user's task for a session, for hosts that embed the gate and know it (the MCP proxy does not).
   * Read before every call; its values count as the user's own, and the probe may judge whether a call
   * serves it. Returns undefined when there is none. Called with the session id (`''` without one).
   */
  readonly task?: (sessionId: string) => string | undefined;
  /** The probe's text questions about results and definitions; off unless given with one enabled. */
  readonly textProbe?: TextProbeOptions;
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
