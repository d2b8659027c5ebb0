/**
 * The *ask* outcome over MCP: a call the gate wants a person to approve is held while the mediator asks
 * the person through the client (`elicitation/create`, a server→client request with the mediator's own
 * id), then forwarded on a yes or refused on anything else. Every answer — including "nobody could be
 * asked" — is audited as an `answer` record that refers to the call's decision.
 */
import { randomUUID } from 'node:crypto';
import { type AskDecision, type AskVerdict, AUDIT_LAYER, ErrorCode } from '@governed-mcp/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { APPROVE_SCHEMA, clip, MAX_PART, questionText } from './ask-question.js';
import { type Engine, principalOf } from './engine.js';
import { idKey } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { Routed } from './mediator-types.js';
import type { Answer } from './response-path.js';
import { failureFor } from './response-path.js';
import { routed } from './routed.js';
import type { Pending, PendingAsk, Session } from './session.js';
import type { Refusal } from './wire.js';

/** Why an asked call was refused. Stable strings, as in the decision and answer records. */
export const AskCode = {
  /** Nobody can be asked: the client did not declare `elicitation` (or the request comes from the server). */
  Unavailable: 'ask_unavailable',
  /** The person said no, or dismissed the question. */
  Declined: 'ask_declined',
  /** No answer within `askTimeoutMs`. */
  Timeout: 'ask_timeout',
  /** The client's answer did not have the shape asked for. */
  Invalid: 'ask_invalid',
} as const;

/** One of the ask codes. */
export type AskCode = (typeof AskCode)[keyof typeof AskCode];

/** Records the answer; the refusal to send instead of `refusal` when the record could not be written. */
async function record(
  engine: Engine,
  session: Session,
  pending: Pending,
  verdict: AskVerdict,
  ms: number,
  detail?: string,
): Promise<boolean> {
  if (pending.call === undefined || pending.checked === undefined) return false;
  const peer = session.peer;
  const principal = peer === undefined ? pending.principal : principalOf(engine, peer);
  const { name, version } = session.client ?? {};
  const client = { ...(name === undefined ? {} : { name }), ...(version === undefined ? {} : { version }) };
  const ok = await engine.gate.recordAnswer(pending.call, pending.checked, {
    verdict,
    by: { principal: principal.id, ...(name === undefined && version === undefined ? {} : { client }) },
    how: 'elicitation',
    ms,
    ...(detail === undefined ? {} : { detail }),
  });
  if (!ok)
    engine.log({ level: 'error', event: 'answer_not_recorded', sessionId: session.key, data: { verdict } });
  return ok;
}

const AUDIT_REFUSAL: Refusal = {
  layer: AUDIT_LAYER,
  code: ErrorCode.AuditFailed,
  reason: 'the answer to the question could not be recorded, so the call is refused',
};

/**
 * Refuses an asked request with `code` after recording the answer `verdict` (an unrecordable answer
 * refuses it too, as `audit_failed`). Returns the refusal to send; the caller removes the request.
 */
export async function refuseAsked(
  engine: Engine,
  session: Session,
  pending: Pending,
  verdict: AskVerdict,
  refusal: Refusal,
  ms = 0,
): Promise<Refusal> {
  const ok = await record(engine, session, pending, verdict, ms, refusal.reason);
  engine.log({
    level: 'info',
    event: 'ask_refused',
    code: refusal.code,
    detail: refusal.reason,
    sessionId: session.key,
    data: { method: pending.method, tool: pending.call?.tool.name ?? pending.method, verdict },
  });
  return ok ? refusal : AUDIT_REFUSAL;
}

/** The refusal of a call no person can be asked about. */
export function unavailableRefusal(question: string): Refusal {
  return {
    layer: MEDIATION_LAYER,
    code: AskCode.Unavailable,
    reason: `a person must approve this call (${clip(question, MAX_PART)}) and the client cannot be asked: it did not declare the elicitation capability`,
  };
}

/** Fails `pending` with `refusal` once, if it is still waiting in the session. */
function failOnce(session: Session, pending: Pending, refusal: Refusal): Routed {
  if (session.fromClient.get(idKey(pending.id)) !== pending) return routed();
  session.fromClient.delete(idKey(pending.id));
  return routed([], [failureFor(pending, refusal)]);
}

/**
 * Holds a client request the gate answered *ask* and asks the person through the client; `forward` is
 * the request as it goes to the server on a yes. A client without elicitation gets `ask_unavailable`.
 */
export async function askPerson(
  engine: Engine,
  session: Session,
  pending: Pending,
  forward: JSONRPCMessage,
): Promise<Routed> {
  const checked = pending.checked!;
  const question = (checked.decision as AskDecision).question;
  if (session.client?.elicitation !== true) {
    const refusal = await refuseAsked(engine, session, pending, 'unavailable', unavailableRefusal(question));
    return failOnce(session, pending, refusal);
  }
  let message: string;
  try {
    message = await questionText(engine, pending, checked);
  } catch {
    const refusal: Refusal = {
      layer: MEDIATION_LAYER,
      code: AskCode.Unavailable,
      reason: 'the question could not be prepared without secrets, so nobody was asked',
    };
    return failOnce(session, pending, await refuseAsked(engine, session, pending, 'unavailable', refusal));
  }
  // Answered meanwhile (cancelled, session failed): nobody needs asking.
  if (session.fromClient.get(idKey(pending.id)) !== pending) return routed();
  // An unguessable id: neither the server nor a stray answer can pose as the person's answer.
  const id = `governed-mcp/ask/${randomUUID()}`;
  const timer = setTimeout(() => void expire(engine, session, id), engine.askTimeoutMs);
  timer.unref?.();
  session.asks.set(idKey(id), { id, pending, forward, started: performance.now(), timer });
  engine.log({
    level: 'info',
    event: 'ask_sent',
    sessionId: session.key,
    data: { method: pending.method, tool: pending.call?.tool.name ?? pending.method },
  });
  const request = {
    jsonrpc: '2.0',
    id,
    method: 'elicitation/create',
    params: { message, requestedSchema: APPROVE_SCHEMA },
  };
  return routed([], [request as JSONRPCMessage]);
}

/** Reads the client's answer to `elicitation/create`. */
function verdictOf(answer: Answer): { verdict: AskVerdict; detail?: string } {
  if (answer.error !== undefined) return { verdict: 'invalid', detail: 'the client answered with an error' };
  const action = answer.result?.action;
  if (action === 'decline') return { verdict: 'declined' };
  if (action === 'cancel') return { verdict: 'cancelled' };
  if (action !== 'accept') return { verdict: 'invalid', detail: 'the answer has no valid action' };
  const approve = (answer.result?.content as Record<string, unknown> | undefined)?.approve;
  if (approve === true) return { verdict: 'approved' };
  if (approve === false) return { verdict: 'declined' };
  return { verdict: 'invalid', detail: "an accepted answer must carry a boolean 'approve'" };
}

/** The client's answer to a question of the mediator's: the held request is forwarded or refused, once. */
export async function onAskAnswer(
  engine: Engine,
  session: Session,
  ask: PendingAsk,
  answer: Answer,
): Promise<Routed> {
  clearTimeout(ask.timer);
  session.asks.delete(idKey(ask.id));
  const { pending } = ask;
  if (session.fromClient.get(idKey(pending.id)) !== pending) return routed();
  const { verdict, detail } = verdictOf(answer);
  const ms = performance.now() - ask.started;
  if (verdict === 'approved') {
    const ok = await record(engine, session, pending, verdict, ms);
    if (!ok) return failOnce(session, pending, AUDIT_REFUSAL);
    if (session.fromClient.get(idKey(pending.id)) !== pending) return routed();
    pending.forwarded = true;
    if (pending.role === 'tool-call') session.history.noteCalled(pending.call?.capabilities ?? []);
    engine.log({
      level: 'info',
      event: 'ask_approved',
      sessionId: session.key,
      data: { method: pending.method },
    });
    return routed([ask.forward]);
  }
  const refusal: Refusal =
    verdict === 'invalid'
      ? { layer: MEDIATION_LAYER, code: AskCode.Invalid, reason: `the answer could not be read: ${detail}` }
      : {
          layer: MEDIATION_LAYER,
          code: AskCode.Declined,
          reason: `the person ${verdict === 'declined' ? 'declined' : 'dismissed'} the call`,
        };
  return failOnce(session, pending, await refuseAsked(engine, session, pending, verdict, refusal, ms));
}

/** No answer in time: the held request is refused (`ask_timeout`) and the client told to drop the question. */
async function expire(engine: Engine, session: Session, id: string): Promise<void> {
  const ask = session.asks.get(idKey(id));
  if (ask === undefined) return;
  session.asks.delete(idKey(id));
  const { pending } = ask;
  if (session.fromClient.get(idKey(pending.id)) !== pending) return;
  const reason = `nobody answered the question within ${engine.askTimeoutMs} ms`;
  const refusal = { layer: MEDIATION_LAYER, code: AskCode.Timeout, reason };
  const ms = performance.now() - ask.started;
  const out = failOnce(session, pending, await refuseAsked(engine, session, pending, 'timeout', refusal, ms));
  if (out.toClient.length === 0) return;
  out.toClient.push({
    jsonrpc: '2.0',
    method: 'notifications/cancelled',
    params: { requestId: id, reason },
  } as JSONRPCMessage);
  if (session.peer?.deliver !== undefined) session.peer.deliver(out);
  else
    engine.log({
      level: 'error',
      event: 'undeliverable',
      sessionId: session.key,
      detail: 'an ask timed out with no deliver callback',
    });
}

/**
 * Withdraws the questions about `pending` (every question when it is omitted): timers cleared, answers
 * arriving later ignored. A withdrawn question about a request cancelled by the client is recorded as
 * `cancelled`.
 */
export function withdrawAsks(engine: Engine, session: Session, pending?: Pending): void {
  for (const [key, ask] of session.asks) {
    if (pending !== undefined && ask.pending !== pending) continue;
    clearTimeout(ask.timer);
    session.asks.delete(key);
    if (pending !== undefined) {
      const ms = performance.now() - ask.started;
      void record(
        engine,
        session,
        pending,
        'cancelled',
        ms,
        'the request was cancelled while the person was asked',
      );
    }
  }
}
