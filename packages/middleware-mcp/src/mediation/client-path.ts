import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MEDIATION_LAYER } from './audit.js';
import { park } from './discovery.js';
import { trimParams } from './forwarded-params.js';
import { type Classified, idKey, isRequestId, type Params } from './frame.js';
import type { PeerInfo, Routed } from './mediator.js';
import { CLIENT_NOTIFICATIONS, CLIENT_REQUESTS, isMediated, isRequestMethod } from './methods.js';
import { settle } from './response-path.js';
import { type Engine, type Pending, routed, type Session } from './session.js';
import { decideRequest, decideToolCall, noteDropped, principalOf, toolCallProblem } from './tool-calls.js';
import { errorResponse, MediationCode, type Refusal } from './wire.js';

function refuse(code: string, reason: string): Refusal {
  return { layer: MEDIATION_LAYER, code, reason };
}

function shortName(method: string): string {
  return JSON.stringify(method.slice(0, 64));
}

/** Routes one classified message from the client. */
export async function fromClientMessage(
  engine: Engine,
  session: Session,
  msg: Classified,
  peer: PeerInfo,
): Promise<Routed> {
  switch (msg.kind) {
    case 'invalid':
      engine.log({
        level: 'warn',
        event: 'frame_refused',
        code: msg.code,
        detail: msg.detail,
        sessionId: session.key,
      });
      return routed([], [errorResponse(msg.id, refuse(msg.code, msg.detail))]);
    case 'notification':
      if (CLIENT_NOTIFICATIONS.has(msg.method)) {
        if (msg.method === 'notifications/cancelled' && cancel(engine, session, msg.params)) return routed();
        return routed([
          {
            jsonrpc: '2.0',
            method: msg.method,
            ...(msg.params === undefined ? {} : { params: msg.params }),
          } as JSONRPCMessage,
        ]);
      }
      engine.log({
        level: 'warn',
        event: 'notification_dropped',
        code: isRequestMethod(msg.method)
          ? MediationCode.RequestAsNotification
          : MediationCode.MethodUnclassified,
        detail: `method ${shortName(msg.method)}`,
        sessionId: session.key,
      });
      return routed();
    case 'response': {
      const key = idKey(msg.id);
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
    case 'request':
      return fromClientRequest(engine, session, msg, peer);
  }
}

async function fromClientRequest(
  engine: Engine,
  session: Session,
  msg: Extract<Classified, { kind: 'request' }>,
  peer: PeerInfo,
): Promise<Routed> {
  const role = CLIENT_REQUESTS.get(msg.method);
  const answer = (code: string, reason: string): Routed => {
    engine.log({ level: 'warn', event: 'request_refused', code, detail: reason, sessionId: session.key });
    return routed([], [errorResponse(msg.id, refuse(code, reason))]);
  };
  if (role === undefined)
    return answer(
      MediationCode.MethodUnclassified,
      `method ${shortName(msg.method)} is not one the gate mediates or passes`,
    );
  const key = idKey(msg.id);
  if (session.fromClient.has(key))
    return answer(MediationCode.DuplicateId, `id ${JSON.stringify(msg.id)} is already in flight`);
  if (engine.closed) return answer(MediationCode.Closed, 'the gate is shutting down');
  if (session.fromClient.size >= engine.limits.maxInFlight) {
    return answer(MediationCode.TooManyInFlight, `more than ${engine.limits.maxInFlight} requests in flight`);
  }
  // Registered before any await, so a second request with this id is refused even while this one is decided.
  const pending: Pending = {
    id: msg.id,
    method: msg.method,
    role,
    started: performance.now(),
    principal: principalOf(engine, peer),
    ...(role === 'tools-list' ? { cursor: msg.params?.cursor !== undefined } : {}),
  };
  session.fromClient.set(key, pending);
  const forward = (): Routed => {
    pending.forwarded = true;
    // Protocol requests are not decided, so they carry only the params MCP defines for them.
    const trimmed = trimParams(msg.method, msg.params);
    noteDropped(engine, session, msg.method, trimmed.dropped);
    return routed([
      {
        jsonrpc: '2.0',
        id: msg.id,
        method: msg.method,
        ...(trimmed.params === undefined ? {} : { params: trimmed.params }),
      } as JSONRPCMessage,
    ]);
  };

  if (role === 'tool-call') {
    const problem = toolCallProblem(msg.params);
    if (problem !== undefined) {
      session.fromClient.delete(key);
      return answer(MediationCode.InvalidParams, problem);
    }
    const parked = { pending, params: msg.params!, peer };
    const name = msg.params!.name as string;
    if (session.catalogue.get(name) === undefined && !session.catalogue.fresh)
      return park(engine, session, parked);
    return decideToolCall(engine, session, parked);
  }
  if (!isMediated(role, engine.kinds)) return forward();
  const decided = await decideRequest(engine, pending, msg.params, peer, session);
  // Answered meanwhile (session failed, gate closed, request cancelled): nothing more to send.
  if (session.fromClient.get(key) !== pending) return routed();
  if (decided.forward !== undefined) {
    pending.forwarded = true;
    return routed([decided.forward]);
  }
  session.fromClient.delete(key);
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
  engine.log({
    level: 'info',
    event: 'request_cancelled',
    sessionId: session.key,
    data: { method: pending.method },
  });
  return true;
}
