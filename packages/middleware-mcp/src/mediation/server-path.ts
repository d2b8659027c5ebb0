import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MEDIATION_LAYER } from './audit.js';
import { onDiscoveryAnswer } from './discovery.js';
import { type Classified, idKey, type Params } from './frame.js';
import type { PeerInfo, Routed } from './mediator.js';
import { isMediated, isRequestMethod, SERVER_NOTIFICATIONS, SERVER_REQUESTS } from './methods.js';
import { redactValue } from './redaction.js';
import { filterToolsList, settle } from './response-path.js';
import { type Engine, type Pending, routed, type Session } from './session.js';
import { decideRequest, principalOf } from './tool-calls.js';
import { errorResponse, MediationCode } from './wire.js';

/**
 * Server notifications (log messages, progress text) can leak secrets as well as results can: they are
 * redacted, or dropped (`null`) when results are blocked.
 */
function notificationParams(
  engine: Engine,
  session: Session,
  method: string,
  params: Params | undefined,
): Params | undefined | null {
  if (params === undefined || engine.redaction === 'off') return params;
  const r = redactValue(params, engine.patterns);
  if (r.count === 0) return params;
  engine.log({
    level: 'warn',
    event: engine.redaction === 'block' ? 'notification_blocked' : 'notification_redacted',
    sessionId: session.key,
    data: { method, kinds: r.kinds, count: r.count },
  });
  return engine.redaction === 'block' ? null : r.value;
}

/** Routes one classified message from the server. */
export async function fromServerMessage(
  engine: Engine,
  session: Session,
  msg: Classified,
  peer: PeerInfo,
): Promise<Routed> {
  switch (msg.kind) {
    case 'invalid':
      engine.log({
        level: 'warn',
        event: 'server_frame_refused',
        code: msg.code,
        detail: msg.detail,
        sessionId: session.key,
      });
      return msg.id === null
        ? routed()
        : routed([errorResponse(msg.id, { layer: MEDIATION_LAYER, code: msg.code, reason: msg.detail })]);
    case 'notification':
      if (SERVER_NOTIFICATIONS.has(msg.method)) {
        if (msg.method === 'notifications/tools/list_changed') {
          session.catalogue.invalidate();
          engine.log({ level: 'info', event: 'tools_list_changed', sessionId: session.key });
        }
        const params = notificationParams(engine, session, msg.method, msg.params);
        if (params === null) return routed();
        return routed(
          [],
          [
            {
              jsonrpc: '2.0',
              method: msg.method,
              ...(params === undefined ? {} : { params }),
            } as JSONRPCMessage,
          ],
        );
      }
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
    case 'response': {
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
        return routed([], [filterToolsList(engine, session, pending, msg, pending.cursor !== true)]);
      return routed([], [await settle(engine, session, pending, msg)]);
    }
    case 'request': {
      const role = SERVER_REQUESTS.get(msg.method);
      const refuse = (code: string, reason: string): Routed => {
        engine.log({
          level: 'warn',
          event: 'server_request_refused',
          code,
          detail: reason,
          sessionId: session.key,
        });
        return routed([errorResponse(msg.id, { layer: MEDIATION_LAYER, code, reason })]);
      };
      if (role === undefined)
        return refuse(
          MediationCode.MethodUnclassified,
          `method ${JSON.stringify(msg.method.slice(0, 64))} is not one the gate passes`,
        );
      const key = idKey(msg.id);
      if (session.fromServer.has(key))
        return refuse(MediationCode.DuplicateId, `id ${JSON.stringify(msg.id)} is already in flight`);
      if (engine.closed) return refuse(MediationCode.Closed, 'the gate is shutting down');
      if (session.fromServer.size >= engine.limits.maxInFlight) {
        return refuse(
          MediationCode.TooManyInFlight,
          `more than ${engine.limits.maxInFlight} requests in flight`,
        );
      }
      const pending: Pending = {
        id: msg.id,
        method: msg.method,
        role,
        started: performance.now(),
        principal: principalOf(engine, peer),
      };
      session.fromServer.set(key, pending);
      const message = {
        jsonrpc: '2.0',
        id: msg.id,
        method: msg.method,
        ...(msg.params === undefined ? {} : { params: msg.params }),
      } as JSONRPCMessage;
      if (!isMediated(role, engine.kinds)) return routed([], [message]);
      const decided = await decideRequest(engine, pending, msg.params, peer);
      // Answered meanwhile (session failed, gate closed): nothing more to send.
      if (session.fromServer.get(key) !== pending) return routed();
      if (decided.forward !== undefined) return routed([], [decided.forward]);
      session.fromServer.delete(key);
      return routed([decided.refusal!]);
    }
  }
}
