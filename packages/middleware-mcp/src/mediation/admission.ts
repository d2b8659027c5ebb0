import type { Engine } from './engine.js';
import { principalOf } from './engine.js';
import { idKey, type RequestMessage } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { PeerInfo } from './mediator-types.js';
import type { RequestRole } from './methods.js';
import type { Pending } from './session.js';
import { MediationCode, type Refusal } from './wire.js';

/** A request let into its table of requests in flight, or why it was not. */
export type Admission =
  | { readonly ok: true; readonly pending: Pending; readonly role: RequestRole }
  | { readonly ok: false; readonly refusal: Refusal };

function refused(code: string, reason: string): Admission {
  return { ok: false, refusal: { layer: MEDIATION_LAYER, code, reason } };
}

/**
 * Admits a request from either side into `inFlight`, the table of its direction: refused when its method
 * is not one the gate knows (`role` undefined), its id is already in flight (`"1"` and `1` are one id),
 * the gate is closing, or the table is full. An admitted request is registered at once, before the
 * caller awaits anything, so a second request with its id is refused even while the first is decided.
 */
export function admitRequest(
  engine: Engine,
  inFlight: Map<string, Pending>,
  msg: RequestMessage,
  role: RequestRole | undefined,
  peer: PeerInfo,
): Admission {
  if (role === undefined) {
    const method = JSON.stringify(msg.method.slice(0, 64));
    return refused(
      MediationCode.MethodUnclassified,
      `method ${method} is not one the gate mediates or passes`,
    );
  }
  const key = idKey(msg.id);
  if (inFlight.has(key))
    return refused(MediationCode.DuplicateId, `id ${JSON.stringify(msg.id)} is already in flight`);
  if (engine.closed) return refused(MediationCode.Closed, 'the gate is shutting down');
  if (inFlight.size >= engine.limits.maxInFlight) {
    return refused(
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
    ...(role === 'tools-list' ? { cursor: msg.params?.cursor !== undefined } : {}),
  };
  inFlight.set(key, pending);
  return { ok: true, pending, role };
}
