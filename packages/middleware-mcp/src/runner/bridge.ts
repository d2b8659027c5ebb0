import type { Principal, TransportFacts } from '@governed-mcp/core';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './log.js';
import { PendingTable } from './pending.js';
import type { UpstreamLink } from './upstream.js';
import { isNotification, isRequest, isResponse, type RunnerErrorCode, runnerError } from './wire.js';

/** Who is on the client side of a session (the mediator's `PeerInfo`). */
export interface BridgePeer {
  readonly principal?: Principal;
  readonly sessionId?: string;
  readonly transport: TransportFacts;
}

/** Where each frame goes after mediation (the mediator's `Routed`). */
export interface BridgeRouted {
  readonly toServer: readonly JSONRPCMessage[];
  readonly toClient: readonly JSONRPCMessage[];
}

/** What the bridge needs of the mediator: both directions, and a flush on close. */
export interface BridgeMediator {
  fromClient(frame: unknown, peer: BridgePeer): Promise<BridgeRouted>;
  fromServer(frame: unknown, peer: BridgePeer): Promise<BridgeRouted>;
  close(): Promise<void>;
}

/** The client side of a session: sends one frame, optionally tied to the request it belongs to. */
export interface ClientSink {
  send(message: JSONRPCMessage, relatedRequestId?: RequestId): Promise<void>;
}

/** Options of one bridged session. */
export interface BridgeOptions {
  readonly mediator: BridgeMediator;
  readonly peer: BridgePeer;
  readonly client: ClientSink;
  readonly upstream: UpstreamLink;
  readonly log: Logger;
  readonly upstreamTimeoutMs: number;
  readonly maxPending: number;
  /** Called once the bridge has closed. */
  readonly onClosed?: () => void;
}

/**
 * One downstream session joined to one upstream link. Every frame in either direction goes through the
 * mediator; only what it routes is delivered. Requests forwarded upstream are tracked: a timeout, an
 * upstream crash or a shutdown answers them with a JSON-RPC error (fail-closed), and a late answer is
 * dropped. Server-to-client requests are tracked the same way.
 */
export class Bridge {
  readonly #o: BridgeOptions;
  /** Client requests forwarded upstream. */
  readonly #toServer: PendingTable;
  /** Server requests (sampling, elicitation) forwarded to the client. */
  readonly #toClient: PendingTable;
  /** progressToken -> the client request it was issued with, to route progress to the right stream. */
  readonly #progress = new Map<unknown, RequestId>();
  #closed = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#toServer = new PendingTable(options.upstreamTimeoutMs, (id, method) => {
      options.log.warn('upstream_timeout', { sessionId: options.peer.sessionId, id, method });
      void this.#answerClient(id, 'upstream_timeout', `the upstream did not answer ${method} in time`);
    });
    this.#toClient = new PendingTable(options.upstreamTimeoutMs, (id, method) => {
      options.log.warn('client_timeout', { sessionId: options.peer.sessionId, id, method });
      void this.#o.upstream
        .send(runnerError(id, 'upstream_timeout', `the client did not answer ${method} in time`))
        .catch(() => undefined);
    });
    options.upstream.onmessage = (m) => void this.fromServer(m);
    options.upstream.ondown = (reason) => void this.failPending('upstream_unavailable', reason);
  }

  /** Requests awaiting the upstream. */
  get pending(): number {
    return this.#toServer.size;
  }

  /** Mediates and routes one frame from the client (any JSON value; the mediator judges it). */
  async fromClient(frame: unknown): Promise<void> {
    if (this.#closed) {
      const id = requestIdOf(frame);
      if (id !== undefined)
        await this.#sendClient(runnerError(id, 'shutting_down', 'the runner is shutting down'));
      return;
    }
    let routed: BridgeRouted;
    try {
      routed = await this.#o.mediator.fromClient(frame, this.#o.peer);
    } catch (err) {
      this.#o.log.error('mediation_failed', { direction: 'client', message: String(err) });
      const id = requestIdOf(frame);
      if (id !== undefined) await this.#sendClient(runnerError(id, 'mediation_failed', 'the gate failed'));
      return;
    }
    for (const m of routed.toClient) await this.#deliverToClient(m);
    for (const m of routed.toServer) await this.#deliverToServer(m);
  }

  /** Mediates and routes one frame from the upstream. */
  async fromServer(frame: unknown): Promise<void> {
    let routed: BridgeRouted;
    try {
      routed = await this.#o.mediator.fromServer(frame, this.#o.peer);
    } catch (err) {
      this.#o.log.error('mediation_failed', { direction: 'server', message: String(err) });
      // A response the gate could not vet must not reach the client; its request fails closed.
      const id = (frame as { id?: unknown })?.id;
      if ((typeof id === 'string' || typeof id === 'number') && this.#toServer.settle(id) === 'pending') {
        await this.#answerClient(id, 'mediation_failed', 'the gate failed on the upstream answer');
      }
      return;
    }
    for (const m of routed.toServer) await this.#sendServer(m);
    for (const m of routed.toClient) await this.#deliverToClient(m);
  }

  /** Fails every request in flight closed (upstream crash, shutdown); resolves once they are answered. */
  async failPending(code: RunnerErrorCode, reason: string): Promise<void> {
    const failed = this.#toServer.drain();
    if (failed.length > 0) this.#o.log.warn('pending_failed', { code, count: failed.length, reason });
    this.#toClient.drain();
    this.#progress.clear();
    await Promise.all(failed.map(({ id }) => this.#answerClient(id, code, reason)));
  }

  /** Stops accepting frames, fails what is pending and closes the upstream link. */
  async close(code: RunnerErrorCode = 'shutting_down'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.failPending(code, 'the session is closing');
    await this.#o.upstream.close();
    this.#o.onClosed?.();
  }

  async #deliverToServer(m: JSONRPCMessage): Promise<void> {
    if (isRequest(m)) {
      if (this.#toServer.has(m.id)) {
        // A reused id would make two answers indistinguishable; the mediator should have caught it.
        await this.#sendClient(runnerError(m.id, 'too_many_pending', 'this request id is already in flight'));
        return;
      }
      if (this.#toServer.size >= this.#o.maxPending) {
        await this.#sendClient(runnerError(m.id, 'too_many_pending', 'too many requests in flight'));
        return;
      }
      this.#toServer.add(m.id, m.method);
      const token = (m as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta?.progressToken;
      if (token !== undefined) this.#progress.set(token, m.id);
    } else if (isResponse(m)) {
      if (this.#toClient.settle(m.id) === 'failed') return;
    }
    await this.#sendServer(m, isRequest(m) ? m.id : undefined);
  }

  async #sendServer(m: JSONRPCMessage, pendingId?: RequestId): Promise<void> {
    try {
      await this.#o.upstream.send(m);
    } catch (err) {
      this.#o.log.warn('upstream_send_failed', { message: (err as Error).message });
      if (pendingId !== undefined && this.#toServer.settle(pendingId) === 'pending') {
        await this.#answerClient(pendingId, 'upstream_unavailable', 'the upstream is unavailable');
      }
    }
  }

  async #deliverToClient(m: JSONRPCMessage): Promise<void> {
    let related: RequestId | undefined;
    if (isResponse(m)) {
      const state = this.#toServer.settle(m.id);
      if (state === 'failed') {
        this.#o.log.info('late_answer_dropped', { id: m.id });
        return;
      }
      related = m.id;
      for (const [token, id] of this.#progress) if (id === m.id) this.#progress.delete(token);
    } else {
      const token = (m as { params?: { progressToken?: unknown } }).params?.progressToken;
      related =
        isNotification(m) && m.method === 'notifications/progress' && token !== undefined
          ? (this.#progress.get(token) ?? this.#toServer.latest())
          : this.#toServer.latest();
      if (isRequest(m)) this.#toClient.add(m.id, m.method);
    }
    await this.#sendClient(m, related);
  }

  #answerClient(id: RequestId, code: RunnerErrorCode, message: string): Promise<void> {
    return this.#sendClient(runnerError(id, code, message), id);
  }

  async #sendClient(m: JSONRPCMessage, related?: RequestId): Promise<void> {
    try {
      await this.#o.client.send(m, related);
    } catch (err) {
      this.#o.log.warn('client_send_failed', { message: (err as Error).message });
    }
  }
}

function requestIdOf(frame: unknown): RequestId | undefined {
  const f = frame as { id?: unknown; method?: unknown } | null;
  if (typeof f !== 'object' || f === null || typeof f.method !== 'string') return undefined;
  return typeof f.id === 'string' || typeof f.id === 'number' ? f.id : undefined;
}
