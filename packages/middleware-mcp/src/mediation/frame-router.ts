import { fromClientMessage } from './client-path.js';
import { type Engine, sessionOf } from './engine.js';
import { classify, inspectFrame, isRequestId } from './frame.js';
import type { PeerInfo, Routed } from './mediator-types.js';
import { merge, routed } from './routed.js';
import { fromServerMessage } from './server-path.js';
import { failUnreadableAnswer } from './session-failure.js';
import { errorResponse, MediationCode } from './wire.js';

/** Which side a frame came from. */
export type Side = 'client' | 'server';

/** The id of an unreadable frame, when one can be read without trusting the rest (for a useful answer). */
export function salvageId(frame: unknown): string | number | null {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return null;
  try {
    const id = (frame as { id?: unknown }).id;
    return isRequestId(id) ? id : null;
  } catch {
    return null;
  }
}

/** An answer to whoever sent `frame`, refusing it whole. */
function bounce(frame: unknown, side: Side, code: string, reason: string): Routed {
  const error = errorResponse(salvageId(frame), { layer: 'mediation', code, reason });
  return side === 'client' ? routed([], [error]) : routed([error]);
}

/**
 * Mediates one frame from either side. Never rejects: a bug or a hostile object (a throwing getter, a
 * proxy) refuses the frame instead of letting it through unanswered (fail-closed).
 */
export async function routeFrame(
  engine: Engine,
  frame: unknown,
  peer: PeerInfo,
  side: Side,
): Promise<Routed> {
  try {
    return await inspectAndRoute(engine, frame, peer, side);
  } catch (err) {
    engine.log({
      level: 'error',
      event: 'mediation_failed',
      detail: err instanceof Error ? err.message : String(err),
      ...(peer.sessionId === undefined ? {} : { sessionId: peer.sessionId }),
    });
    return bounce(frame, side, MediationCode.InvalidMessage, 'the gate could not process the message');
  }
}

/** Reads the frame (limits, JSON only), refuses or splits batches, and hands each message to its path. */
async function inspectAndRoute(engine: Engine, frame: unknown, peer: PeerInfo, side: Side): Promise<Routed> {
  const session = sessionOf(engine, peer);
  const handle = side === 'client' ? fromClientMessage : fromServerMessage;
  // Refusals of a whole frame go back to whoever sent it.
  const refuse = (code: string, reason: string): Routed => {
    engine.log({
      level: 'warn',
      event: `${side}_frame_refused`,
      code,
      detail: reason,
      sessionId: session.key,
    });
    return bounce(frame, side, code, reason);
  };
  const inspected = inspectFrame(frame, engine.limits);
  if (!inspected.ok) {
    if (side === 'server') {
      const failed = await failUnreadableAnswer(engine, session, frame, salvageId(frame), inspected);
      if (failed !== undefined) return failed;
    }
    return refuse(inspected.code, inspected.detail);
  }
  const value = inspected.value;
  if (!Array.isArray(value)) return handle(engine, session, classify(value), peer);
  if (engine.batches === 'refuse') {
    return refuse(MediationCode.BatchRefused, 'JSON-RPC batches are not part of MCP since 2025-06-18');
  }
  if (value.length === 0 || value.length > engine.limits.maxBatch) {
    return refuse(MediationCode.BatchTooLong, `a batch holds 1 to ${engine.limits.maxBatch} messages`);
  }
  // Each element is mediated on its own, in order, as if it had come alone; answers are not re-batched.
  const out = routed();
  for (const element of value) merge(out, await handle(engine, session, classify(element), peer));
  return out;
}
