import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { admitRequest } from './admission.js';
import { askPerson, onAskAnswer, withdrawAsks } from './ask.js';
import { clientFactsOf } from './ask-question.js';
import { park } from './discovery.js';
import type { Engine } from './engine.js';
import { trimParams } from './forwarded-params.js';
import { type Classified, idKey, isRequestId, type Params, type RequestMessage } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { PeerInfo, Routed } from './mediator-types.js';
import { CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, isMediated, isRequestMethod } from './methods.js';
import { settle } from './response-path.js';
import { routed } from './routed.js';
import type { Pending, Session } from './session.js';
import { decideRequest, decideToolCall, noteDropped, toolCallProblem } from './tool-calls.js';
import { errorResponse, MediationCode, type Refusal } from './wire.js';

type Message<K extends Classified['kind']> = Extract<Classified, { readonly kind: K }>;

/** Routes one classified message from the client: one handler per kind of message. */
export async function fromClientMessage(
  engine: Engine,
  session: Session,
  msg: Classified,
  peer: PeerInfo,
): Promise<Routed> {
  switch (msg.kind) {
    case 'invalid':
      return refuseInvalid(engine, session, msg);
    case 'notification':
      return onClientNotification(engine, session, msg);
    case 'response':
      return onClientResponse(engine, session, msg);
    case 'request':
      return onClientRequest(engine, session, msg, peer);
  }
}

/** A message of no valid shape: refused back to the client. */
function refuseInvalid(engine: Engine, session: Session, msg: Message<'invalid'>): Routed {
  engine.log({
    level: 'warn',
    event: 'frame_refused',
    code: msg.code,
    detail: msg.detail,
    sessionId: session.key,
  });
  return routed([], [errorResponse(msg.id, { layer: MEDIATION_LAYER, code: msg.code, reason: msg.detail })]);
}

/** A known notification goes on (a cancellation of a request not yet forwarded drops it); others are dropped. */
function onClientNotification(engine: Engine, session: Session, msg: Message<'notification'>): Routed {
  if (CLIENT_NOTIFICATIONS.has(msg.method)) {
    if (msg.method === 'notifications/cancelled' && cancel(engine, session, msg.params)) return routed();
    const params = msg.params === undefined ? {} : { params: msg.params };
    return routed([{ jsonrpc: '2.0', method: msg.method, ...params } as JSONRPCMessage]);
  }
  engine.log({
    level: 'warn',
    event: 'notification_dropped',
    code: isRequestMethod(msg.method)
      ? MediationCode.RequestAsNotification
      : MediationCode.MethodUnclassified,
    detail: `method ${JSON.stringify(msg.method.slice(0, 64))}`,
    sessionId: session.key,
  });
  return routed();
}

/** The client's answer to a request the server sent: settled (outcome recorded) and forwarded. */
async function onClientResponse(engine: Engine, session: Session, msg: Message<'response'>): Promise<Routed> {
  const key = idKey(msg.id);
  const ask = session.asks.get(key);
  if (ask !== undefined) return onAskAnswer(engine, session, ask, msg);
  const pending = session.fromServer.get(key);
  if (pending === undefined) {
    engine.log({
      level: 'warn',
      event: 'response_dropped',
      code: MediationCode.UnsolicitedResponse,
      sessionId: session.key,
    });
    return routed();
  }
  session.fromServer.delete(key);
  return routed([await settle(engine, session, pending, msg)]);
}

/**
 * A client request: admitted (known method, fresh id, room left), then a `tools/call` is decided (or
 * parked until the tool listing is known), another mediated request is decided, and protocol requests
 * are forwarded with the params MCP defines for them.
 */
async function onClientRequest(
  engine: Engine,
  session: Session,
  msg: RequestMessage,
  peer: PeerInfo,
): Promise<Routed> {
  const refuse = (refusal: Refusal): Routed => {
    engine.log({
      level: 'warn',
      event: 'request_refused',
      code: refusal.code,
      detail: refusal.reason,
      sessionId: session.key,
    });
    return routed([], [errorResponse(msg.id, refusal)]);
  };
  const admitted = admitRequest(engine, session.fromClient, msg, CLIENT_REQUESTS.get(msg.method), peer);
  if (!admitted.ok) return refuse(admitted.refusal);
  const { pending, role } = admitted;
  if (role === 'tool-call') {
    const problem = toolCallProblem(msg.params);
    if (problem !== undefined) {
      session.fromClient.delete(idKey(msg.id));
      return refuse({ layer: MEDIATION_LAYER, code: MediationCode.InvalidParams, reason: problem });
    }
    const parked = { pending, params: msg.params!, peer };
    const name = msg.params!.name as string;
    if (session.catalogue.get(name) === undefined && !session.catalogue.fresh)
      return park(engine, session, parked);
    return decideToolCall(engine, session, parked);
  }
  // What the client says of itself decides whether a person can be asked through it later.
  if (msg.method === 'initialize') session.client = clientFactsOf(msg.params);
  if (!isMediated(role, engine.kinds)) return forwardProtocolRequest(engine, session, msg, pending);
  return decideClientRequest(engine, session, msg, pending, peer);
}

/** Protocol requests are not decided, so they carry only the params MCP defines for their method. */
function forwardProtocolRequest(
  engine: Engine,
  session: Session,
  msg: RequestMessage,
  pending: Pending,
): Routed {
  pending.forwarded = true;
  const trimmed = trimParams(msg.method, msg.params);
  noteDropped(engine, session, msg.method, trimmed.dropped);
  const params = trimmed.params === undefined ? {} : { params: trimmed.params };
  return routed([{ jsonrpc: '2.0', id: msg.id, method: msg.method, ...params } as JSONRPCMessage]);
}

/** A mediated request other than `tools/call` (a resource read, a prompt get): decided by the gate. */
async function decideClientRequest(
  engine: Engine,
  session: Session,
  msg: RequestMessage,
  pending: Pending,
  peer: PeerInfo,
): Promise<Routed> {
  const decided = await decideRequest(engine, pending, msg.params, peer, session);
  // Answered meanwhile (session failed, gate closed, request cancelled): nothing more to send.
  if (session.fromClient.get(idKey(msg.id)) !== pending) return routed();
  if (decided.ask && decided.forward !== undefined)
    return askPerson(engine, session, pending, decided.forward);
  if (decided.forward !== undefined) {
    pending.forwarded = true;
    return routed([decided.forward]);
  }
  session.fromClient.delete(idKey(msg.id));
  engine.log({
    level: 'info',
    event: 'request_denied',
    sessionId: session.key,
    data: { method: msg.method },
  });
  return routed([], [decided.refusal!]);
}

/**
 * A client's cancellation. For a request still being decided (or waiting for the tool listing) the
 * request is dropped here and the server never hears of either; otherwise the notice goes through.
 */
function cancel(engine: Engine, session: Session, params: Params | undefined): boolean {
  const id = params?.requestId;
  if (!isRequestId(id)) return false;
  const pending = session.fromClient.get(idKey(id));
  if (pending === undefined || pending.forwarded === true || pending.role === 'discovery') return false;
  session.fromClient.delete(idKey(id));
  session.parked = session.parked.filter((p) => p.pending !== pending);
  withdrawAsks(engine, session, pending);
  engine.log({
    level: 'info',
    event: 'request_cancelled',
    sessionId: session.key,
    data: { method: pending.method },
  });
  return true;
}
