import type { Mediator, PeerInfo, Routed } from '@governed-mcp/middleware-mcp';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './log.js';
import { clientIndependent, createOrderedDelivery, serverIndependent } from './ordering.js';
import { PendingTable } from './pending.js';
import type { UpstreamLink } from './upstream.js';
import { isNotification, isRequest, isResponse, type RunnerErrorCode, runnerError } from './wire.js';

/** What the bridge needs of the mediator. */
export type BridgeMediator = Pick<Mediator, 'fromClient' | 'fromServer' | 'failPending' | 'close'>;

/** The client side of a session: sends one frame, optionally tied to the request it belongs to. */
export interface ClientSink {
  send(message: JSONRPCMessage, relatedRequestId?: RequestId): Promise<void>;
}

/** Options of one bridged session. */
export interface BridgeOptions {
  readonly mediator: BridgeMediator;
  /** The session's peer; the bridge adds the `deliver` callback. */
  readonly peer: Omit<PeerInfo, 'deliver'>;
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
 * mediator; only what it routes is delivered. Requests forwarded upstream are tracked: when one times
 * out, the upstream crashes, or the session closes, the runner answers it with a synthesized upstream
 * error that goes through the mediator like any answer (so the gate records the outcome and the client
 * gets a JSON-RPC error: fail-closed), and a late real answer is dropped. Server-to-client requests
 * (sampling, elicitation) are tracked the same way in the other direction.
 */
export class Bridge {
  readonly #o: BridgeOptions;
  readonly #peer: PeerInfo;
  /** Requests forwarded to the upstream (upstream id space). */
  readonly #toServer: PendingTable;
  /** Server requests forwarded to the client. */
  readonly #toClient: PendingTable;
  /** progressToken -> the client request it came with, to route progress to the right stream. */
  readonly #progress = new Map<unknown, RequestId>();
  readonly #inbound = createOrderedDelivery(clientIndependent);
  readonly #outbound = createOrderedDelivery(serverIndependent);
  /** Frames (either direction) still being mediated or delivered. */
  #busy = 0;
  #quietWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  /** Shutting down: new requests are refused, and every failure answers `shutting_down`. */
  #stopping = false;
  #closed = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#peer = { ...options.peer, deliver: (r) => void this.#route(r) };
    this.#toServer = new PendingTable(options.upstreamTimeoutMs, (id, method) => {
      options.log.warn('upstream_timeout', { sessionId: options.peer.sessionId, id, method });
      void this.#track(
        this.#synthesizeServerError(id, 'upstream_timeout', `the upstream did not answer ${method} in time`),
      );
    });
    this.#toClient = new PendingTable(options.upstreamTimeoutMs, (id, method) => {
      options.log.warn('client_timeout', { sessionId: options.peer.sessionId, id, method });
      void this.#track(this.#synthesizeClientError(id, `the client did not answer ${method} in time`));
    });
    options.upstream.onmessage = (m) => void this.fromServer(m);
    options.upstream.ondown = (reason) => void this.failPending('upstream_unavailable', reason);
  }

  /** Requests awaiting the upstream. */
  get pending(): number {
    return this.#toServer.size;
  }

  /** Mediates and routes one frame from the client (any JSON value; the mediator judges it). */
  fromClient(frame: unknown): Promise<void> {
    if (this.#stopping || this.#closed) {
      // Once shutdown has begun nothing new is forwarded; a request gets the shutdown answer.
      const id = requestIdOf(frame);
      if (id === undefined) return Promise.resolve();
      return this.#sendClient(runnerError(id, 'shutting_down', 'the runner is shutting down'));
    }
    return this.#track(this.#inbound(frame, this.#mediateClient(frame), (r) => this.#route(r)));
  }

  /** Mediates and routes one frame from the upstream. A late answer to a request already failed is dropped. */
  fromServer(frame: unknown): Promise<void> {
    const m = frame as JSONRPCMessage;
    if (isResponse(m) && this.#toServer.settle(m.id) === 'failed') {
      this.#o.log.info('late_answer_dropped', { sessionId: this.#o.peer.sessionId, id: m.id });
      this.#notify();
      return Promise.resolve();
    }
    return this.#track(this.#outbound(frame, this.#mediate('server', frame), (r) => this.#route(r)));
  }

  /**
   * Fails every request in flight closed (upstream crash, shutdown); resolves once they are answered.
   * Once shutdown has begun every failure answers `shutting_down`, whatever caused it (the upstream
   * exiting under the same Ctrl-C, a timer firing), so the answer does not depend on which came first.
   */
  async failPending(code: RunnerErrorCode, reason: string): Promise<void> {
    const failed = this.#toServer.drain();
    if (failed.length > 0) this.#o.log.warn('pending_failed', { code, count: failed.length, reason });
    await Promise.all(failed.map(({ id }) => this.#track(this.#synthesizeServerError(id, code, reason))));
    const unanswered = this.#toClient.drain();
    await Promise.all(unanswered.map(({ id }) => this.#track(this.#synthesizeClientError(id, reason))));
    this.#progress.clear();
    this.#notify();
  }

  /**
   * Begins shutdown: frames from now on are refused, answers to what is in flight still pass. Idempotent.
   */
  beginShutdown(): void {
    this.#stopping = true;
  }

  /** Resolves once no frame is being mediated or delivered (requests may still await their answers). */
  quiet(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** Resolves once nothing is in flight: no frame being mediated and no request awaiting an answer. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops accepting frames, fails what is pending, makes the mediator forget the session, closes upstream. */
  async close(code: RunnerErrorCode = 'shutting_down'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopping ||= code === 'shutting_down';
    await this.failPending(code, 'the session is closing');
    try {
      await this.#route(await this.#o.mediator.failPending(this.#peer, 'the session closed'));
    } catch (err) {
      this.#o.log.error('mediation_failed', { direction: 'close', message: String(err) });
    }
    await this.#o.upstream.close();
    this.#o.onClosed?.();
  }

  #isIdle(): boolean {
    return this.#busy === 0 && this.#toServer.size === 0 && this.#toClient.size === 0;
  }

  /** Counts `work` as a frame in progress, so `quiet()` and `idle()` resolve on the event, not a poll. */
  async #track<T>(work: Promise<T>): Promise<T> {
    this.#busy++;
    try {
      return await work;
    } finally {
      this.#busy--;
      this.#notify();
    }
  }

  #notify(): void {
    if (this.#busy === 0) for (const f of this.#quietWaiters.splice(0)) f();
    if (this.#isIdle()) for (const f of this.#idleWaiters.splice(0)) f();
  }

  #mediateClient(frame: unknown): Promise<Routed> {
    return this.#mediate('client', frame);
  }

  /** Mediates one frame; never rejects: a mediator failure refuses the frame (fail-closed). */
  async #mediate(direction: 'client' | 'server', frame: unknown): Promise<Routed> {
    try {
      return direction === 'client'
        ? await this.#o.mediator.fromClient(frame, this.#peer)
        : await this.#o.mediator.fromServer(frame, this.#peer);
    } catch (err) {
      this.#o.log.error('mediation_failed', { direction, message: String(err) });
      const f = frame as { id?: unknown; method?: unknown } | null;
      const id = typeof f === 'object' && f !== null ? f.id : undefined;
      if (typeof id !== 'string' && typeof id !== 'number') return { toServer: [], toClient: [] };
      // A request the gate could not judge is refused; an answer it could not vet fails its request.
      if (direction === 'client' && typeof f?.method === 'string') {
        return { toServer: [], toClient: [runnerError(id, 'mediation_failed', 'the gate failed')] };
      }
      if (direction === 'server' && f?.method === undefined) {
        return {
          toServer: [],
          toClient: [runnerError(id, 'mediation_failed', 'the gate failed on the upstream answer')],
        };
      }
      return { toServer: [], toClient: [] };
    }
  }

  async #mediateServer(frame: unknown): Promise<void> {
    await this.#route(await this.#mediate('server', frame));
  }

  /** An upstream error answer made up by the runner, mediated like a real one. */
  #synthesizeServerError(id: RequestId, code: RunnerErrorCode, reason: string): Promise<void> {
    return this.#mediateServer(runnerError(id, this.#stopping ? 'shutting_down' : code, reason));
  }

  /** A client error answer to a server request the client did not answer. */
  async #synthesizeClientError(id: RequestId, reason: string): Promise<void> {
    try {
      const routed = await this.#o.mediator.fromClient(
        runnerError(id, 'upstream_timeout', reason),
        this.#peer,
      );
      for (const m of routed.toServer) await this.#sendServer(m);
    } catch (err) {
      this.#o.log.error('mediation_failed', { direction: 'client', message: String(err) });
    }
  }

  async #route(routed: Routed): Promise<void> {
    for (const m of routed.toClient) await this.#deliverToClient(m);
    for (const m of routed.toServer) await this.#deliverToServer(m);
  }

  async #deliverToServer(m: JSONRPCMessage): Promise<void> {
    if (isRequest(m)) {
      if (this.#toServer.has(m.id)) {
        // The mediator refuses reused ids; should one slip through, refuse it here without touching the
        // request already in flight under that id (an error "from the server" would settle that one).
        await this.#sendClient(
          runnerError(m.id, 'too_many_pending', 'this request id is already in flight'),
          m.id,
        );
        return;
      }
      if (this.#toServer.size >= this.#o.maxPending) {
        // Answered through the mediator, which has this request in flight and records its outcome.
        await this.#mediateServer(runnerError(m.id, 'too_many_pending', 'too many requests in flight'));
        return;
      }
      this.#toServer.add(m.id, m.method);
      const token = (m as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta?.progressToken;
      if (token !== undefined) this.#progress.set(token, m.id);
      await this.#sendServer(m, m.id);
      return;
    }
    if (isResponse(m) && this.#toClient.settle(m.id) === 'failed') return;
    await this.#sendServer(m);
  }

  async #sendServer(m: JSONRPCMessage, pendingId?: RequestId): Promise<void> {
    try {
      await this.#o.upstream.send(m);
    } catch (err) {
      this.#o.log.warn('upstream_send_failed', { message: (err as Error).message });
      if (pendingId !== undefined && this.#toServer.settle(pendingId) === 'pending') {
        await this.#synthesizeServerError(pendingId, 'upstream_unavailable', 'the upstream is unavailable');
      }
    }
  }

  async #deliverToClient(m: JSONRPCMessage): Promise<void> {
    let related: RequestId | undefined;
    if (isResponse(m)) {
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
