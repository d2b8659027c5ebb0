import { randomUUID } from 'node:crypto';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from './engine.js';
import { idKey } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { Routed } from './mediator-types.js';
import type { Answer } from './response-path.js';
import { merge, routed } from './routed.js';
import type { Parked, Session } from './session.js';
import { probeDefinitions } from './text-probe.js';
import { decideToolCall } from './tool-calls.js';
import { MediationCode, type Refusal } from './wire.js';

/** Most pages the mediator follows in its own `tools/list`. */
const MAX_PAGES = 50;

function listRequest(engine: Engine, session: Session, page: number, cursor?: string): JSONRPCMessage {
  // An unguessable id: a client cannot pre-empt it or answer for the server.
  const id = `governed-mcp/tools-list/${randomUUID()}`;
  const timer = setTimeout(() => timeout(engine, session, id), engine.discoveryTimeoutMs);
  timer.unref?.();
  session.discovery = { id, page, timer };
  session.fromClient.set(idKey(id), {
    id,
    method: 'tools/list',
    role: 'discovery',
    started: performance.now(),
    principal: engine.defaultPrincipal,
  });
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/list',
    params: cursor === undefined ? {} : { cursor },
  } as JSONRPCMessage;
}

function timeout(engine: Engine, session: Session, id: string): void {
  if (session.discovery?.id !== id) return;
  session.fromClient.delete(idKey(id));
  session.discovery = undefined;
  void failParked(
    engine,
    session,
    `the server did not answer tools/list within ${engine.discoveryTimeoutMs} ms`,
  ).then((r) => {
    if (session.peer?.deliver !== undefined) session.peer.deliver(r);
    else
      engine.log({
        level: 'error',
        event: 'undeliverable',
        sessionId: session.key,
        detail: 'discovery timed out with no deliver callback',
      });
  });
}

/**
 * Parks a call to a tool the session has not seen listed and, unless a listing is under way, sends the
 * mediator's own `tools/list` to the server. The call is decided once the listing is complete.
 */
export function park(engine: Engine, session: Session, parked: Parked): Routed {
  session.parked.push(parked);
  if (session.discovery !== undefined) return routed();
  engine.log({ level: 'debug', event: 'tools_discovery', sessionId: session.key });
  return routed([listRequest(engine, session, 0)]);
}

/** Fails every parked call closed. */
export async function failParked(
  engine: Engine,
  session: Session,
  reason: string,
  code: string = MediationCode.DiscoveryFailed,
): Promise<Routed> {
  const parked = session.parked;
  session.parked = [];
  const out = routed();
  const refusal: Refusal = { layer: MEDIATION_LAYER, code, reason };
  const live = parked.filter((p) => session.fromClient.get(idKey(p.pending.id)) === p.pending);
  for (const r of await Promise.all(live.map((p) => decideToolCall(engine, session, p, refusal))))
    merge(out, r);
  return out;
}

/** Handles the server's answer to the mediator's own `tools/list`: next page, or decide the parked calls. */
export async function onDiscoveryAnswer(engine: Engine, session: Session, answer: Answer): Promise<Routed> {
  const d = session.discovery!;
  clearTimeout(d.timer);
  session.fromClient.delete(idKey(d.id));
  session.discovery = undefined;
  const tools = answer.result?.tools;
  if (answer.error !== undefined || !Array.isArray(tools)) {
    return failParked(engine, session, 'the server failed its tools/list');
  }
  const cursor = answer.result?.nextCursor;
  const more = typeof cursor === 'string' && d.page + 1 < MAX_PAGES;
  // The probe (when it reads definitions) judges these as it judges a client's listing.
  const scanned = await probeDefinitions(engine, session, tools);
  session.catalogue.addPage(tools, engine.pins, engine.server, d.page === 0, !more, scanned);
  if (more) return routed([listRequest(engine, session, d.page + 1, cursor)]);
  const parked = session.parked;
  session.parked = [];
  const out = routed();
  const decided = await Promise.all(parked.map((p) => decideToolCall(engine, session, p)));
  for (const r of decided) merge(out, r);
  return out;
}
