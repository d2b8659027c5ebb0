import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MEDIATION_LAYER } from './audit.js';
import { onDiscoveryAnswer } from './discovery.js';
import { type Classified, idKey, type Params } from './frame.js';
import type { PeerInfo, Routed } from './mediator.js';
import { isMediated, isRequestMethod, SERVER_NOTIFICATIONS, SERVER_REQUESTS } from './methods.js';
import { screenListing } from './poisoning-listing.js';
import { filterToolsList, scanOutbound, settle } from './response-path.js';
import { type Engine, type Pending, routed, type Session } from './session.js';
import { decideRequest, principalOf } from './tool-calls.js';
import { errorResponse, MediationCode } from './wire.js';

/**
 * Server notifications (log messages, progress text, resource updates) can leak secrets as well as
 * results can: they are redacted, or dropped (`null`) when results are blocked or scanning failed.
 */
async function notificationParams(
  engine: Engine,
  session: Session,
  method: string,
  params: Params | undefined,
): Promise<Params | undefined | null> {
  if (params === undefined) return params;
  const r = await scanOutbound(engine, session, method, params);
  if (!r.ok || (r.redacted.count > 0 && engine.redaction === 'block')) return null;
  return r.redacted.value;
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
        const params = await notificationParams(engine, session, msg.method, msg.params);
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
      // Texts the model will read (instructions, resource and prompt listings) are screened first.
      return routed(
        [],
        [await settle(engine, session, pending, screenListing(engine, session, pending, msg), true)],
      );
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
      // What a server asks the client (a sampling prompt, an elicitation message) is scanned like a result.
      const scanned = await scanOutbound(engine, session, msg.method, msg.params);
      if (!scanned.ok) return refuse(scanned.refusal.code, scanned.refusal.reason);
      if (scanned.redacted.count > 0 && engine.redaction === 'block')
        return refuse(MediationCode.ResultBlocked, 'the request held secrets and was withheld');
      const params = scanned.redacted.value;
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
        ...(params === undefined ? {} : { params }),
      } as JSONRPCMessage;
      if (!isMediated(role, engine.kinds)) return routed([], [message]);
      const decided = await decideRequest(engine, pending, params, peer);
      // Answered meanwhile (session failed, gate closed): nothing more to send.
      if (session.fromServer.get(key) !== pending) return routed();
      if (decided.forward !== undefined) return routed([], [decided.forward]);
      session.fromServer.delete(key);
      return routed([decided.refusal!]);
    }
  }
}
