import { createHash, randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Principal } from '@governed-mcp/core';
import { Bridge, type BridgeMediator, type ClientSink } from './bridge.js';
import type { BearerBinding, HttpDownstream } from './http-downstream.js';
import type { Logger } from './log.js';
import { createStdioDownstream, type StdioDownstream } from './stdio-downstream.js';
import { createUpstreamLink, type UpstreamLink, type UpstreamSpec } from './upstream.js';

/** Where the runner listens: stdio, or Streamable HTTP on a host and port (0 = chosen by the OS). */
export type ListenSpec =
  | { readonly kind: 'stdio' }
  | { readonly kind: 'http'; readonly host: string; readonly port: number };

/** The runner's limits (see the config file's `limits`). */
export interface RunnerLimitOptions {
  readonly maxFrameBytes: number;
  readonly upstreamTimeoutMs: number;
  readonly maxSessions: number;
  readonly maxPending: number;
  readonly maxQueuedBytes: number;
  readonly sessionIdleMs?: number;
  readonly maxSessionsPerPrincipal?: number;
  /**
   * How long a stdio client that closed its input may wait for the answers already in flight
   * (default: the smaller of 5 s and `upstreamTimeoutMs`). A signal or `close()` does not wait.
   */
  readonly drainMs?: number;
}

/** Everything the runner needs; the CLI builds it from flags and the config file. */
export interface RunnerOptions {
  readonly listen: ListenSpec;
  readonly upstream: UpstreamSpec;
  readonly mediator: BridgeMediator;
  /** The principal of stdio sessions and of HTTP sessions when no tokens are configured. */
  readonly principal: Principal;
  readonly tokens: readonly BearerBinding[];
  readonly limits: RunnerLimitOptions;
  readonly log: Logger;
  /** Host names accepted in Host/Origin on HTTP; loopback names by default on a loopback address. */
  readonly allowedHosts?: readonly string[];
  /**
   * The stdio session's upstream link, made (and warmed) by the caller so the upstream boots while the
   * gate is built; default a new link on the first frame. Ignored when listening on HTTP.
   */
  readonly upstreamLink?: UpstreamLink;
  /** Streams of the stdio listener (default: process.stdin / process.stdout). */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
}

/** A running proxy. */
export interface Runner {
  /** `http://HOST:PORT/mcp` when listening on HTTP. */
  readonly url?: string;
  /** Resolves when the runner has stopped (client gone on stdio, or after `close()`). */
  readonly closed: Promise<void>;
  /**
   * Stops accepting, fails pending calls closed, closes upstreams and flushes the mediator's audit log.
   * Idempotent: every trigger joins the one shutdown already under way (whose reason is the first
   * trigger's), and cuts short its wait for answers in flight.
   */
  close(reason?: string): Promise<void>;
}

/** How long shutdown waits for decisions already under way before failing them closed. */
const DECIDING_GRACE_MS = 5000;

const sha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Starts the runner: a downstream listener, one upstream link per session, every frame through the
 * mediator. It never writes anything but protocol frames to stdout.
 */
export async function startRunner(o: RunnerOptions): Promise<Runner> {
  const bridges = new Set<Bridge>();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  /** Ends the wait for answers in flight: a second trigger during a graceful drain. */
  let hurry: (() => void) | undefined;

  function openBridge(
    sessionId: string,
    principal: Principal,
    client: ClientSink,
    remote?: string,
    upstream: UpstreamLink = createUpstreamLink(o.upstream, o.log),
  ): Bridge {
    const bridge = new Bridge({
      mediator: o.mediator,
      peer: {
        principal,
        sessionId,
        transport:
          o.listen.kind === 'http'
            ? { kind: 'http', ...(remote === undefined ? {} : { remoteAddress: remote }) }
            : { kind: 'stdio' },
      },
      client,
      upstream,
      log: o.log,
      upstreamTimeoutMs: o.limits.upstreamTimeoutMs,
      maxPending: o.limits.maxPending,
      onClosed: () => bridges.delete(bridge),
    });
    // A session opened while shutting down (an HTTP initialize racing the signal) is refused like the rest.
    if (closing !== undefined) bridge.beginShutdown();
    bridges.add(bridge);
    return bridge;
  }

  let http: HttpDownstream | undefined;
  let stdio: StdioDownstream | undefined;

  /**
   * The one shutdown sequence, whatever triggers it (a signal, the stdio client leaving, `close()`):
   * 1. stop reading: new frames are refused with `shutting_down`;
   * 2. let decisions under way finish, and, on a graceful trigger, answers in flight arrive (bounded);
   * 3. fail what is still in flight closed: runner-tracked calls, then the mediator's own (one answer,
   *    `mediator_closed`, each outcome recorded), which flushes the audit log;
   * 4. close sessions and upstreams, flush what is queued for the client.
   */
  function shutdown(reason: string, drainMs: number): Promise<void> {
    if (closing !== undefined) {
      hurry?.();
      return closing;
    }
    const hurried = new Promise<void>((resolve) => {
      hurry = resolve;
    });
    for (const b of bridges) b.beginShutdown();
    stdio?.stop();
    closing = (async () => {
      const pending = [...bridges].reduce((n, b) => n + b.pending, 0);
      o.log.info('runner_stopping', { reason, sessions: bridges.size, pending });
      await within(
        [...bridges].map((b) => b.quiet()),
        DECIDING_GRACE_MS,
      );
      if (drainMs > 0)
        await within(
          [...bridges].map((b) => b.idle()),
          drainMs,
          hurried,
        );
      await Promise.all(
        [...bridges].map((b) => b.failPending('shutting_down', 'the runner is shutting down')),
      );
      try {
        await o.mediator.close();
      } catch (err) {
        o.log.error('mediator_close_failed', { message: String(err) });
      }
      await http?.close();
      await Promise.all([...bridges].map((b) => b.close()));
      await stdio?.flush();
      o.log.info('runner_stopped', { reason });
      resolveClosed();
    })();
    return closing;
  }

  function close(reason = 'shutdown'): Promise<void> {
    return shutdown(reason, 0);
  }

  if (o.listen.kind === 'http') {
    if (o.tokens.length === 0) o.log.warn('http_without_tokens', { principal: o.principal.id });
    // The HTTP listener (the SDK's server transport, Hono) loads only when listening on HTTP.
    const { startHttpDownstream } = await import('./http-downstream.js');
    http = await startHttpDownstream({
      host: o.listen.host,
      port: o.listen.port,
      tokens: o.tokens,
      principal: o.principal,
      maxFrameBytes: o.limits.maxFrameBytes,
      maxSessions: o.limits.maxSessions,
      maxSessionsPerPrincipal: o.limits.maxSessionsPerPrincipal ?? o.limits.maxSessions,
      idleMs: o.limits.sessionIdleMs ?? 5 * 60_000,
      log: o.log,
      digest: sha256,
      ...(o.allowedHosts === undefined ? {} : { allowedHosts: o.allowedHosts }),
      openSession: (id, principal, remote, client) => openBridge(id, principal, client, remote),
    });
    o.log.info('listening', { url: http.url, upstream: o.upstream.kind });
    return { url: http.url, closed, close };
  }

  stdio = createStdioDownstream({
    input: o.stdin ?? process.stdin,
    output: o.stdout ?? process.stdout,
    maxFrameBytes: o.limits.maxFrameBytes,
    maxQueuedBytes: o.limits.maxQueuedBytes,
    log: o.log,
  });
  const bridge = openBridge(randomUUID(), o.principal, stdio.sink, undefined, o.upstreamLink);
  o.log.info('listening', { transport: 'stdio', upstream: o.upstream.kind });
  const drainMs = o.limits.drainMs ?? Math.min(5000, o.limits.upstreamTimeoutMs);
  void stdio.run(bridge).then((end) =>
    // A client that closed its input may still read the answers to what it sent; one whose output
    // failed cannot, so nothing is waited for.
    end === 'input_ended' ? shutdown('client_disconnected', drainMs) : shutdown(`client_${end}`, 0),
  );
  return { closed, close };
}

/** Resolves when every promise has, or after `ms`, or when `early` resolves, whichever comes first. */
async function within(all: readonly Promise<void>[], ms: number, early?: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.all(all), deadline, ...(early === undefined ? [] : [early])]);
  clearTimeout(timer);
}
