import { randomUUID } from 'node:crypto';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { Mediator, PeerInfo, Routed } from './mediator.js';

const MAY_BE_SLOW = new Set([
  'tools/call',
  'resources/read',
  'prompts/get',
  'sampling/createMessage',
  'elicitation/create',
]);

/**
 * Orders deliveries: messages are delivered in arrival order, except that requests the gate decides
 * (and responses, which the response path may hold while it records) are delivered as soon as they are
 * ready, so one slow decision does not hold up pings and notifications. Ordering only; every message is
 * mediated either way.
 */
export function createSequencer(): (
  message: unknown,
  mediated: Promise<Routed>,
  deliver: (r: Routed) => Promise<void>,
) => Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  return function sequence(message, mediated, deliver) {
    const m = message as { id?: unknown; method?: unknown } | null;
    const independent =
      typeof m === 'object' &&
      m !== null &&
      m.id !== undefined &&
      (typeof m.method !== 'string' || MAY_BE_SLOW.has(m.method));
    if (independent) return mediated.then(deliver);
    const done = tail.then(() => mediated).then(deliver);
    tail = done.catch(() => {});
    return done;
  };
}

/**
 * The server-side transport of an in-process SDK server, with a mediator on it: every message from the
 * client reaches the server only as the mediator routes it, and every message from the server reaches
 * the client only as the mediator routes it. The server never sees a refused request.
 */
export function governTransport(
  inner: Transport,
  mediator: Mediator,
  peer: Partial<PeerInfo> = {},
): Transport {
  // A wrapper without a session id of its own gets one, so connections sharing a mediator stay apart.
  const ownSession = `in-process/${randomUUID()}`;
  const inbound = createSequencer();
  const outbound = createSequencer();
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: (message: JSONRPCMessage, options?: TransportSendOptions) =>
      outbound(message, mediator.fromServer(message, info()), (r) => deliver(r, undefined, options)),
  };
  const report = (err: unknown): void => {
    outer.onerror?.(err instanceof Error ? err : new Error(String(err)));
  };
  async function deliver(
    r: Routed,
    extra: MessageExtraInfo | undefined,
    options?: TransportSendOptions,
  ): Promise<void> {
    for (const m of r.toServer) outer.onmessage?.(m, extra);
    for (const m of r.toClient) await inner.send(m, options);
  }
  const info = (): PeerInfo => {
    const sessionId = peer.sessionId ?? inner.sessionId ?? ownSession;
    return {
      transport: peer.transport ?? { kind: 'in-process' },
      ...(peer.principal === undefined ? {} : { principal: peer.principal }),
      sessionId,
      deliver: (r) => {
        deliver(r, undefined).catch(report);
      },
    };
  };
  inner.onmessage = (message, extra) => {
    inbound(message, mediator.fromClient(message, info()), (r) => deliver(r, extra)).catch(report);
  };
  inner.onclose = () => {
    void mediator.failPending(info(), 'the client disconnected').finally(() => outer.onclose?.());
  };
  inner.onerror = (err) => outer.onerror?.(err);
  Object.defineProperty(outer, 'sessionId', { get: () => inner.sessionId, enumerable: true });
  if (inner.setProtocolVersion !== undefined) {
    outer.setProtocolVersion = (v) => inner.setProtocolVersion?.(v);
  }
  return outer;
}
