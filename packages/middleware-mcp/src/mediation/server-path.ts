import type { AskDecision } from '@governed-mcp/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { admitRequest } from './admission.js';
import { refuseAsked, unavailableRefusal } from './ask.js';
import { onDiscoveryAnswer } from './discovery.js';
import type { Engine } from './engine.js';
import { type Classified, idKey, type Params, type RequestMessage } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { PeerInfo, Routed } from './mediator-types.js';
import { isMediated, isRequestMethod, SERVER_NOTIFICATIONS, SERVER_REQUESTS } from './methods.js';
import { screenListing } from './poisoning-listing.js';
import { scanOutbound, settle } from './response-path.js';
import { routed } from './routed.js';
import type { Pending, Session } from './session.js';
import { decideRequest } from './tool-calls.js';
import { filterToolsList } from './tools-listing.js';
import { errorResponse, MediationCode, type Refusal } from './wire.js';

type Message<K extends Classified['kind']> = Extract<Classified, { readonly kind: K }>;

/** Routes one classified message from the server: one handler per kind of message. */
export async function fromServerMessage(
  engine: Engine,
  session: Session,
  msg: Classified,
  peer: PeerInfo,
): Promise<Routed> {
  switch (msg.kind) {
    case 'invalid':
      return refuseInvalid(engine, session, msg);
    case 'notification':
      return onServerNotification(engine, session, msg);
    case 'response':
      return onServerResponse(engine, session, msg);
    case 'request':
      return onServerRequest(engine, session, msg, peer);
  }
}

/** A message of no valid shape: refused back to the server when it has an id to answer. */
function refuseInvalid(engine: Engine, session: Session, msg: Message<'invalid'>): Routed {
  engine.log({
    level: 'warn',
    event: 'server_frame_refused',
    code: msg.code,
    detail: msg.detail,
    sessionId: session.key,
  });
  if (msg.id === null) return routed();
  return routed([errorResponse(msg.id, { layer: MEDIATION_LAYER, code: msg.code, reason: msg.detail })]);
}

/**
 * A known server notification goes to the client scanned for secrets (log messages, progress text and
 * resource updates can leak them as results can); `list_changed` empties the tool listing first.
 */
function onServerNotification(engine: Engine, session: Session, msg: Message<'notification'>): Routed {
  if (!SERVER_NOTIFICATIONS.has(msg.method)) {
    engine.log({
      level: 'warn',
      event: 'server_notification_dropped',
      code: isRequestMethod(msg.method)
        ? MediationCode.RequestAsNotification
        : MediationCode.MethodUnclassified,
      detail: `method ${JSON.stringify(msg.method.slice(0, 64))}`,
      sessionId: session.key,
    });
    return routed();
  }
  if (msg.method === 'notifications/tools/list_changed') {
    session.catalogue.invalidate();
    engine.log({ level: 'info', event: 'tools_list_changed', sessionId: session.key });
  }
  const params = notificationParams(engine, session, msg.method, msg.params);
  if (params === null) return routed();
  const body = params === undefined ? {} : { params };
  return routed([], [{ jsonrpc: '2.0', method: msg.method, ...body } as JSONRPCMessage]);
}

/** Notification params as redacted; `null` (drop it) when results are blocked or scanning failed. */
function notificationParams(
  engine: Engine,
  session: Session,
  method: string,
  params: Params | undefined,
): Params | undefined | null {
  if (params === undefined) return params;
  const r = scanOutbound(engine, session, method, params);
  if (!r.ok || (r.redacted.count > 0 && engine.redaction === 'block')) return null;
  return r.redacted.value;
}

/**
 * The server's answer to a client request (or to the mediator's own `tools/list`): a `tools/list` page
 * is scanned, pinned and filtered; other answers have their model-read texts screened and go through
 * the response path.
 */
async function onServerResponse(engine: Engine, session: Session, msg: Message<'response'>): Promise<Routed> {
  const key = idKey(msg.id);
  if (session.discovery !== undefined && key === idKey(session.discovery.id))
    return onDiscoveryAnswer(engine, session, msg);
  const pending = session.fromClient.get(key);
  if (pending === undefined || pending.role === 'discovery') {
    engine.log({
      level: 'warn',
      event: 'server_response_dropped',
      code: MediationCode.UnsolicitedResponse,
      sessionId: session.key,
    });
    return routed();
  }
  session.fromClient.delete(key);
  if (pending.role === 'tools-list')
    return routed([], [await filterToolsList(engine, session, pending, msg, pending.cursor !== true)]);
  const screened = screenListing(engine, session, pending, msg);
  return routed([], [await settle(engine, session, pending, screened, true)]);
}

/**
 * A server request (sampling, elicitation, roots, ping): admitted (known method, fresh id, room left),
 * scanned like a result (a sampling prompt can carry secrets), then decided when its kind is mediated.
 */
async function onServerRequest(
  engine: Engine,
  session: Session,
  msg: RequestMessage,
  peer: PeerInfo,
): Promise<Routed> {
  const refuse = (refusal: Refusal): Routed => {
    engine.log({
      level: 'warn',
      event: 'server_request_refused',
      code: refusal.code,
      detail: refusal.reason,
      sessionId: session.key,
    });
    return routed([errorResponse(msg.id, refusal)]);
  };
  const admitted = admitRequest(engine, session.fromServer, msg, SERVER_REQUESTS.get(msg.method), peer);
  if (!admitted.ok) return refuse(admitted.refusal);
  const { pending, role } = admitted;
  const key = idKey(msg.id);
  const scanned = scanOutbound(engine, session, msg.method, msg.params);
  // Answered meanwhile (session failed, gate closed): nothing more to send.
  if (session.fromServer.get(key) !== pending) return routed();
  if (!scanned.ok) {
    session.fromServer.delete(key);
    return refuse(scanned.refusal);
  }
  if (scanned.redacted.count > 0 && engine.redaction === 'block') {
    session.fromServer.delete(key);
    const reason = 'the request held secrets and was withheld';
    return refuse({ layer: MEDIATION_LAYER, code: MediationCode.ResultBlocked, reason });
  }
  const params = scanned.redacted.value;
  if (!isMediated(role, engine.kinds)) {
    const body = params === undefined ? {} : { params };
    return routed([], [{ jsonrpc: '2.0', id: msg.id, method: msg.method, ...body } as JSONRPCMessage]);
  }
  return decideServerRequest(engine, session, pending, params, peer);
}

/** A mediated server request (sampling, elicitation): decided by the gate, forwarded or refused. */
async function decideServerRequest(
  engine: Engine,
  session: Session,
  pending: Pending,
  params: Params | undefined,
  peer: PeerInfo,
): Promise<Routed> {
  const decided = await decideRequest(engine, pending, params, peer);
  // Answered meanwhile (session failed, gate closed): nothing more to send.
  if (session.fromServer.get(idKey(pending.id)) !== pending) return routed();
  if (decided.ask) {
    // The person sits behind the client, and a server's request is not theirs to approve: refused.
    const question = (decided.checked.decision as AskDecision).question;
    const refusal = await refuseAsked(engine, session, pending, 'unavailable', unavailableRefusal(question));
    session.fromServer.delete(idKey(pending.id));
    return routed([errorResponse(pending.id, refusal)]);
  }
  if (decided.forward !== undefined) return routed([], [decided.forward]);
  session.fromServer.delete(idKey(pending.id));
  return routed([decided.refusal!]);
}
