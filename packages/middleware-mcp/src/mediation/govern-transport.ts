import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { Mediator, PeerInfo, Routed } from './mediator.js';

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
  const outer: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    send: async (message: JSONRPCMessage, options?: TransportSendOptions) => {
      const r = await mediator.fromServer(message, info());
      await deliver(r, undefined, options);
    },
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
    const sessionId = peer.sessionId ?? inner.sessionId;
    return {
      transport: peer.transport ?? { kind: 'in-process' },
      ...(peer.principal === undefined ? {} : { principal: peer.principal }),
      ...(sessionId === undefined ? {} : { sessionId }),
      deliver: (r) => {
        deliver(r, undefined).catch(report);
      },
    };
  };
  inner.onmessage = (message, extra) => {
    mediator
      .fromClient(message, info())
      .then((r) => deliver(r, extra))
      .catch(report);
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
