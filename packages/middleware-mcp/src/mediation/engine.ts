import type { Principal } from '@governed-mcp/core';
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from './frame.js';
import { createMediationGate, type MediationGate } from './mediation-gate.js';
import type {
  MediationLog,
  MediatorOptions,
  PeerInfo,
  TextProbeOptions,
  ToolVisibility,
} from './mediator-types.js';
import type { MediatedKinds } from './methods.js';
import { createMemoryPinStore, type PinStore } from './pins.js';
import type { RedactionMode, SecretPattern } from './redaction.js';
import type { ResultInstructionsMode } from './result-judgement.js';
import { createSession, type Session } from './session.js';
import { allVisible } from './visibility.js';

const DEFAULT_PRINCIPAL: Principal = Object.freeze({ id: 'anonymous', tier: 'standard' });

/**
 * What a mediator works with: its resolved settings, the gate it decides through, and the table of its
 * sessions. Every path (client, server, discovery, response) takes the engine as its first argument.
 */
export interface Engine {
  readonly gate: MediationGate;
  readonly defaultPrincipal: Principal;
  readonly server: string;
  readonly kinds: MediatedKinds;
  readonly redaction: RedactionMode;
  readonly resultInstructions: ResultInstructionsMode;
  readonly patterns: readonly SecretPattern[];
  readonly pins: PinStore;
  readonly limits: FrameLimits;
  readonly batches: 'refuse' | 'mediate';
  readonly visibility: ToolVisibility;
  readonly discoveryTimeoutMs: number;
  /** How long an ask waits for the person's answer, in ms. */
  readonly askTimeoutMs: number;
  readonly log: (line: MediationLog) => void;
  /** The host's task for a session, if it passes one. */
  readonly task: ((sessionId: string) => string | undefined) | undefined;
  /** The probe's text questions, when at least one kind is enabled; checked at creation. */
  readonly textProbe: TextProbeOptions | undefined;
  /** The state of each session, by session id (`''` for peers without one). */
  readonly sessions: Map<string, Session>;
  closed: boolean;
}

function resolveLimits(partial: Partial<FrameLimits> | undefined): FrameLimits {
  const limits = { ...DEFAULT_FRAME_LIMITS, ...partial };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new TypeError(`mediator limits.${k} must be a positive integer`);
  }
  return limits;
}

const RESULT_INSTRUCTION_MODES: readonly ResultInstructionsMode[] = ['mark', 'quarantine', 'withhold'];

function resultInstructionsOf(mode: ResultInstructionsMode | undefined): ResultInstructionsMode {
  if (mode === undefined) return 'mark';
  if (!RESULT_INSTRUCTION_MODES.includes(mode))
    throw new TypeError(`mediator resultInstructions must be one of ${RESULT_INSTRUCTION_MODES.join(', ')}`);
  return mode;
}

function askTimeoutOf(ms: number | undefined): number {
  if (ms === undefined) return 120_000;
  // setTimeout holds at most 2^31-1 ms; a longer wait would fire at once.
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > 2_147_483_647)
    throw new TypeError('mediator askTimeoutMs must be a positive integer of ms (at most 2147483647)');
  return ms;
}

function textProbeOf(o: TextProbeOptions | undefined): TextProbeOptions | undefined {
  if (o === undefined || (o.results !== true && o.definitions !== true)) return undefined;
  if (typeof o.probe?.classifyText !== 'function')
    throw new TypeError('mediator textProbe.probe must have a classifyText function');
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new TypeError('mediator textProbe.alpha must be in [0, 1]');
  if (!(o.threshold > 0 && o.threshold < 1))
    throw new TypeError('mediator textProbe.threshold must be in (0, 1)');
  if (o.timeoutMs !== undefined && (!Number.isSafeInteger(o.timeoutMs) || o.timeoutMs <= 0))
    throw new TypeError('mediator textProbe.timeoutMs must be a positive integer of ms');
  return o;
}

/** Resolves a mediator's options into its engine (defaults filled in, limits checked). */
export function createEngine(options: MediatorOptions): Engine {
  return {
    gate: createMediationGate(options.gate),
    defaultPrincipal: options.defaultPrincipal ?? DEFAULT_PRINCIPAL,
    server: options.server ?? '',
    kinds: options.mediate ?? {},
    redaction: options.redaction ?? 'redact',
    resultInstructions: resultInstructionsOf(options.resultInstructions),
    patterns: options.secretPatterns ?? [],
    pins: options.pins ?? createMemoryPinStore(),
    limits: resolveLimits(options.limits),
    batches: options.batches ?? 'refuse',
    // Wrapped so a filter that throws hides the tool instead of failing the frame.
    visibility: options.visibility === undefined ? () => true : allVisible(options.visibility),
    discoveryTimeoutMs: options.discoveryTimeoutMs ?? 10_000,
    askTimeoutMs: askTimeoutOf(options.askTimeoutMs),
    log: options.log ?? (() => {}),
    task: options.task,
    textProbe: textProbeOf(options.textProbe),
    sessions: new Map(),
    closed: false,
  };
}

/** The session of `peer`, created on first sight; remembers the latest peer for late delivery. */
export function sessionOf(engine: Engine, peer: PeerInfo): Session {
  const key = peer.sessionId ?? '';
  let session = engine.sessions.get(key);
  if (session === undefined) {
    session = createSession(key);
    engine.sessions.set(key, session);
  }
  session.peer = peer;
  return session;
}

/** The principal of a peer: its own, or the mediator's default. */
export function principalOf(engine: Engine, peer: PeerInfo): Principal {
  return peer.principal ?? engine.defaultPrincipal;
}
