import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { withdrawAsks } from './ask.js';
import { failParked } from './discovery.js';
import type { Engine } from './engine.js';
import { idKey } from './frame.js';
import type { Routed } from './mediator-types.js';
import { failureFor } from './response-path.js';
import { routed } from './routed.js';
import type { Session } from './session.js';
import { errorResponse, MediationCode } from './wire.js';

/**
 * An answer from the server the gate cannot read (too large, too deep) fails its request closed, so the
 * client gets an answer instead of waiting for one that will never pass. `undefined` when the frame
 * answers no request of the client's.
 */
export async function failUnreadableAnswer(
  engine: Engine,
  session: Session,
  frame: unknown,
  id: RequestId | null,
  problem: { readonly code: string; readonly detail: string },
): Promise<Routed | undefined> {
  const looksLikeAnswer = typeof frame === 'object' && frame !== null && !Object.hasOwn(frame, 'method');
  if (id === null || !looksLikeAnswer) return undefined;
  const pending = session.fromClient.get(idKey(id));
  if (pending === undefined || pending.role === 'discovery') return undefined;
  session.fromClient.delete(idKey(id));
  const { code, detail } = problem;
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

/**
 * Fails closed every request in flight in `session`, both directions, records the outcome of each
 * mediated call, and forgets the session. The answers are returned for delivery.
 */
export async function failSession(
  engine: Engine,
  session: Session,
  code: string,
  detail: string,
): Promise<Routed> {
  if (session.discovery !== undefined) clearTimeout(session.discovery.timer);
  // Questions still open die with the session; their requests are failed below with the rest.
  withdrawAsks(engine, session);
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
  engine.sessions.delete(session.key);
  return out;
}

/**
 * Closes the engine once: every session's requests in flight are failed closed and delivered where a
 * peer gave a way to, then the audit log is flushed.
 */
export async function closeEngine(engine: Engine): Promise<void> {
  if (engine.closed) return;
  engine.closed = true;
  for (const session of [...engine.sessions.values()]) {
    const deliver = session.peer?.deliver;
    const r = await failSession(
      engine,
      session,
      MediationCode.Closed,
      'the gate closed with the request in flight',
    );
    if (deliver !== undefined) deliver(r);
  }
  await engine.gate.flush();
}
