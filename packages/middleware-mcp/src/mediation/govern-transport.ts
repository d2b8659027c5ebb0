import { randomUUID } from 'node:crypto';
import type { Principal } from '@governed-mcp/core';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { Mediator, PeerInfo, Routed } from './mediator-types.js';

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

const UNRESOLVED: Principal = Object.freeze({ id: '(unresolved)', tier: '(none)' });

/** Options of {@link governTransport} beyond the peer. */
export interface GovernTransportOptions {
  /**
   * The principal of each incoming message, from what the transport knows of it (e.g. the `authInfo`
   * of an HTTP transport's bearer token). Falls back to `peer.principal`, then the mediator's default.
   */
  readonly principalOf?: (extra: MessageExtraInfo | undefined) => Principal | undefined;
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
  options: GovernTransportOptions = {},
): Transport {
  // The session key is fixed at the first message (a transport may only learn its session id then),
  // and a wrapper without one gets its own, so connections sharing a mediator stay apart.
  let sessionId: string | undefined;
  // The principal last seen on an incoming message: server-to-client requests act for it.
  let principal: Principal | undefined = peer.principal;
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
    sessionId ??= peer.sessionId ?? inner.sessionId ?? `in-process/${randomUUID()}`;
    return {
      transport: peer.transport ?? { kind: 'in-process' },
      ...(principal === undefined ? {} : { principal }),
      sessionId,
      deliver: (r) => {
        deliver(r, undefined).catch(report);
      },
    };
  };
  inner.onmessage = (message, extra) => {
    if (options.principalOf !== undefined) {
      // A mapping that fails must not fall back to anyone: the message gets a principal of no known
      // tier, which the tier layer denies and tier visibility hides everything from.
      try {
        principal = options.principalOf(extra) ?? peer.principal;
      } catch {
        principal = UNRESOLVED;
      }
    }
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
