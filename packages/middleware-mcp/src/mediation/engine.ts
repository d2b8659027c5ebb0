import { createMediationGate } from './audit.js';
import { statusOf } from './catalogue.js';
import { fromClientMessage } from './client-path.js';
import { failParked } from './discovery.js';
import {
  classify,
  DEFAULT_FRAME_LIMITS,
  type FrameLimits,
  idKey,
  inspectFrame,
  isRequestId,
} from './frame.js';
import type { Mediator, MediatorOptions, PeerInfo, Routed, ToolReview } from './mediator.js';
import { createMemoryPinStore } from './pins.js';
import { failureFor } from './response-path.js';
import { fromServerMessage } from './server-path.js';
import { createSession, type Engine, merge, routed, type Session } from './session.js';
import { allVisible } from './visibility.js';
import { errorResponse, MediationCode } from './wire.js';

const DEFAULT_PRINCIPAL = Object.freeze({ id: 'anonymous', tier: 'standard' });

function resolveLimits(partial: Partial<FrameLimits> | undefined): FrameLimits {
  const limits = { ...DEFAULT_FRAME_LIMITS, ...partial };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new TypeError(`mediator limits.${k} must be a positive integer`);
  }
  return limits;
}

// The id of an unreadable frame, when one can be read without trusting the rest (for a useful answer).
function salvageId(frame: unknown): string | number | null {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return null;
  try {
    const id = (frame as { id?: unknown }).id;
    return isRequestId(id) ? id : null;
  } catch {
    return null;
  }
}

/** Builds the mediator behind `createMediator`. */
export function createEngine(options: MediatorOptions): Mediator {
  const engine: Engine = {
    gate: createMediationGate(
      options.gate,
      options.auditArguments === undefined ? {} : { arguments: options.auditArguments },
    ),
    defaultPrincipal: options.defaultPrincipal ?? DEFAULT_PRINCIPAL,
    server: options.server ?? '',
    kinds: options.mediate ?? {},
    redaction: options.redaction ?? 'redact',
    patterns: options.secretPatterns ?? [],
    pins: options.pins ?? createMemoryPinStore(),
    limits: resolveLimits(options.limits),
    batches: options.batches ?? 'refuse',
    // Wrapped so a filter that throws hides the tool instead of failing the frame.
    visibility: options.visibility === undefined ? () => true : allVisible(options.visibility),
    discoveryTimeoutMs: options.discoveryTimeoutMs ?? 10_000,
    log: options.log ?? (() => {}),
    closed: false,
  };
  const sessions = new Map<string, Session>();
  const sessionOf = (peer: PeerInfo): Session => {
    const key = peer.sessionId ?? '';
    let s = sessions.get(key);
    if (s === undefined) {
      s = createSession(key);
      sessions.set(key, s);
    }
    s.peer = peer;
    return s;
  };

  async function route(frame: unknown, peer: PeerInfo, side: 'client' | 'server'): Promise<Routed> {
    try {
      return await routeFrame(frame, peer, side);
    } catch (err) {
      // A bug or a hostile object (a throwing getter, a proxy) must not let a frame through unanswered.
      const detail = err instanceof Error ? err.message : String(err);
      engine.log({
        level: 'error',
        event: 'mediation_failed',
        detail,
        ...(peer.sessionId === undefined ? {} : { sessionId: peer.sessionId }),
      });
      const error = errorResponse(salvageId(frame), {
        layer: 'mediation',
        code: MediationCode.InvalidMessage,
        reason: 'the gate could not process the message',
      });
      return side === 'client' ? routed([], [error]) : routed([error]);
    }
  }

  async function routeFrame(frame: unknown, peer: PeerInfo, side: 'client' | 'server'): Promise<Routed> {
    const session = sessionOf(peer);
    const handle = side === 'client' ? fromClientMessage : fromServerMessage;
    // Refusals of a whole frame go back to whoever sent it.
    const bounce = (code: string, reason: string): Routed => {
      engine.log({
        level: 'warn',
        event: `${side}_frame_refused`,
        code,
        detail: reason,
        sessionId: session.key,
      });
      const error = errorResponse(salvageId(frame), { layer: 'mediation', code, reason });
      return side === 'client' ? routed([], [error]) : routed([error]);
    };
    const inspected = inspectFrame(frame, engine.limits);
    if (!inspected.ok && side === 'server') {
      const failed = await failUnreadableAnswer(session, frame, inspected.code, inspected.detail);
      if (failed !== undefined) return failed;
    }
    if (!inspected.ok) return bounce(inspected.code, inspected.detail);
    const value = inspected.value;
    if (!Array.isArray(value)) return handle(engine, session, classify(value), peer);
    if (engine.batches === 'refuse') {
      return bounce(MediationCode.BatchRefused, 'JSON-RPC batches are not part of MCP since 2025-06-18');
    }
    if (value.length === 0 || value.length > engine.limits.maxBatch) {
      return bounce(MediationCode.BatchTooLong, `a batch holds 1 to ${engine.limits.maxBatch} messages`);
    }
    // Each element is mediated on its own, in order, as if it had come alone; answers are not re-batched.
    const out = routed();
    for (const element of value) merge(out, await handle(engine, session, classify(element), peer));
    return out;
  }

  /**
   * An answer from the server the gate cannot read (too large, too deep) fails its request closed, so
   * the client gets an answer instead of waiting for one that will never pass.
   */
  async function failUnreadableAnswer(
    session: Session,
    frame: unknown,
    code: string,
    detail: string,
  ): Promise<Routed | undefined> {
    const id = salvageId(frame);
    const looksLikeAnswer = typeof frame === 'object' && frame !== null && !Object.hasOwn(frame, 'method');
    const pending = id === null || !looksLikeAnswer ? undefined : session.fromClient.get(idKey(id));
    if (pending === undefined || pending.role === 'discovery') return undefined;
    session.fromClient.delete(idKey(id!));
    const reason = `the server's answer was refused: ${detail}`;
    engine.log({ level: 'warn', event: 'server_answer_refused', code, detail, sessionId: session.key });
    if (pending.call !== undefined && pending.checked !== undefined) {
      await engine.gate.recordOutcome(pending.call, pending.checked, {
        status: 'blocked',
        detail: reason,
        ms: performance.now() - pending.started,
      });
    }
    return routed([], [failureFor(pending, { layer: 'mediation', code, reason })]);
  }

  async function failSession(session: Session, code: string, detail: string): Promise<Routed> {
    if (session.discovery !== undefined) clearTimeout(session.discovery.timer);
    session.discovery = undefined;
    const out = await failParked(engine, session, detail, code);
    const refusal = { layer: 'mediation', code, reason: detail };
    for (const pending of session.fromClient.values()) {
      if (pending.role === 'discovery') continue;
      out.toClient.push(failureFor(pending, refusal));
      if (pending.call !== undefined && pending.checked !== undefined) {
        await engine.gate.recordOutcome(pending.call, pending.checked, {
          status: 'error',
          detail,
          ms: performance.now() - pending.started,
        });
      }
    }
    for (const pending of session.fromServer.values()) out.toServer.push(errorResponse(pending.id, refusal));
    session.fromClient.clear();
    session.fromServer.clear();
    sessions.delete(session.key);
    return out;
  }

  return {
    fromClient: (frame, peer) => route(frame, peer, 'client'),
    fromServer: (frame, peer) => route(frame, peer, 'server'),
    async failPending(peer, detail) {
      const session = sessions.get(peer.sessionId ?? '');
      return session === undefined ? routed() : failSession(session, MediationCode.UpstreamFailed, detail);
    },
    tools() {
      const out: ToolReview[] = [];
      for (const s of sessions.values()) {
        for (const e of s.catalogue.entries()) {
          out.push({
            sessionId: s.key,
            name: e.definition.name,
            status: statusOf(e, engine.pins, engine.server),
            fingerprint: e.fingerprint,
            pinned: engine.pins.get(engine.server, e.definition.name),
            findings: e.findings,
            definition: e.definition,
          });
        }
      }
      return out;
    },
    approveTool(name, fingerprint) {
      if (typeof name !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint)) {
        throw new TypeError('approveTool needs a tool name and a 64-hex-digit fingerprint');
      }
      engine.pins.set(engine.server, name, fingerprint);
      engine.log({ level: 'info', event: 'tool_approved', data: { tool: name, fingerprint } });
    },
    async close() {
      if (engine.closed) return;
      engine.closed = true;
      for (const session of [...sessions.values()]) {
        const deliver = session.peer?.deliver;
        const r = await failSession(
          session,
          MediationCode.Closed,
          'the gate closed with the request in flight',
        );
        if (deliver !== undefined) deliver(r);
      }
      await engine.gate.flush();
    },
  };
}
