import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '@governed-mcp/core';
import { idKey } from '@governed-mcp/middleware-mcp';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Bridge, ClientSink } from './bridge.js';
import { batchRefusal, duplicateRefusal, readBody, replyMessage, requestId, track } from './http-body.js';
import type { Logger } from './log.js';
import { isResponse, runnerError } from './wire.js';

/** A bearer token digest and the principal it stands for. */
export interface BearerBinding {
  readonly sha256: string;
  readonly principal: Principal;
}

/** Options of the Streamable HTTP listener. */
export interface HttpDownstreamOptions {
  readonly host: string;
  readonly port: number;
  /** When non-empty, every request needs `Authorization: Bearer <token>` with one of these tokens. */
  readonly tokens: readonly BearerBinding[];
  /** The principal of unauthenticated sessions (only when `tokens` is empty). */
  readonly principal: Principal;
  readonly maxFrameBytes: number;
  readonly maxSessions: number;
  /** Most concurrent sessions of one principal, so one token cannot take every slot. */
  readonly maxSessionsPerPrincipal: number;
  /** Sessions idle this long are closed. */
  readonly idleMs: number;
  readonly log: Logger;
  /** Makes the bridge of a new session, given its client sink. */
  readonly openSession: (
    sessionId: string,
    principal: Principal,
    remote: string,
    client: ClientSink,
  ) => Bridge;
  /** Digests a presented token (sha256 hex). */
  readonly digest: (token: string) => string;
  /**
   * Host names accepted in `Host` and `Origin` (DNS-rebinding protection). Default: loopback names when
   * listening on a loopback address, anything otherwise.
   */
  readonly allowedHosts?: readonly string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host name of a `Host` header value or an origin URL, lower-cased, without port or brackets. */
function hostnameOf(value: string, isUrl: boolean): string | undefined {
  try {
    return new URL(isUrl ? value : `http://${value}`).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

interface Session {
  readonly principal: Principal;
  /** The digest of the token that opened it (`''` without tokens): sessions belong to a token. */
  readonly owner: string;
  /** Ids of the client's requests awaiting an answer (one stream each). */
  readonly inFlight: Map<string, ServerResponse>;
  readonly transport: StreamableHTTPServerTransport;
  readonly bridge: Bridge;
  lastSeen: number;
}

/** The running HTTP listener. */
export interface HttpDownstream {
  readonly url: string;
  readonly sessions: number;
  /** Stops accepting connections and closes every session (failing its pending calls closed). */
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

/**
 * Starts the Streamable HTTP listener at `http://HOST:PORT/mcp`. Authentication happens before the SDK
 * transport sees a byte, so an unknown or missing token never causes upstream traffic; a session is
 * bound to the token that opened it and cannot be used (or evicted) with another token, even one of
 * the same principal. Bodies are read here with the frame limit: batches are refused (as on stdio), a
 * request id already in flight in the session is refused, and an oversized body is answered with its id.
 */
export async function startHttpDownstream(o: HttpDownstreamOptions): Promise<HttpDownstream> {
  const sessions = new Map<string, Session>();
  const byDigest = new Map(o.tokens.map((t) => [t.sha256, t.principal]));
  let closing = false;

  /** The principal and the owner key (token digest) of a request; sessions are bound to the token. */
  function authenticate(req: IncomingMessage): { principal: Principal; owner: string } | undefined {
    if (byDigest.size === 0) return { principal: o.principal, owner: '' };
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match?.[1] === undefined) return undefined;
    const owner = o.digest(match[1]);
    const principal = byDigest.get(owner);
    return principal === undefined ? undefined : { principal, owner };
  }

  const allowed =
    o.allowedHosts !== undefined && o.allowedHosts.length > 0
      ? new Set(o.allowedHosts.map((h) => h.toLowerCase()))
      : LOOPBACK.has(o.host.toLowerCase())
        ? LOOPBACK
        : undefined;

  /** Refuses a Host or Origin a browser on a rebinding domain would send. */
  function hostProblem(req: IncomingMessage): string | undefined {
    if (allowed === undefined) return undefined;
    const host = req.headers.host;
    const name = host === undefined ? undefined : hostnameOf(host, false);
    if (name === undefined || !allowed.has(name)) return `host '${String(host)}' is not allowed`;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      const o2 = hostnameOf(origin, true);
      if (o2 === undefined || !allowed.has(o2)) return `origin '${origin}' is not allowed`;
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const bad = hostProblem(req);
    if (bad !== undefined) {
      o.log.warn('http_host_refused', { remote: req.socket.remoteAddress, why: bad });
      return reply(res, 403, -32000, `forbidden: ${bad}`);
    }
    if (path !== '/mcp') return reply(res, 404, -32000, 'not found: the MCP endpoint is /mcp');
    if (closing) return reply(res, 503, -32000, 'the runner is shutting down', { connection: 'close' });
    const who = authenticate(req);
    if (who === undefined) {
      o.log.warn('http_unauthorized', { remote: req.socket.remoteAddress });
      return reply(res, 401, -32000, 'unauthorized: a valid bearer token is required', {
        'www-authenticate': 'Bearer',
      });
    }
    const { principal, owner } = who;
    const sid = req.headers['mcp-session-id'];
    let session: Session | undefined;
    if (typeof sid === 'string') {
      session = sessions.get(sid);
      // A session opened with another token looks exactly like an unknown one, whoever the principal.
      if (session === undefined || session.owner !== owner) {
        return reply(res, 404, -32001, 'session not found');
      }
      session.lastSeen = Date.now();
      if (req.method !== 'POST') return session.transport.handleRequest(req, res);
    } else if (req.method !== 'POST') return reply(res, 400, -32000, 'bad request: no session id');
    const body = await readBody(req, o.maxFrameBytes);
    if (!body.ok) {
      o.log.warn(body.code === 'frame_too_large' ? 'frame_too_large' : 'frame_parse_error', { id: body.id });
      const status = body.code === 'frame_too_large' ? 413 : 400;
      return replyMessage(res, status, runnerError(body.id, body.code, body.message));
    }
    // One rule on every transport: MCP 2025-06-18 removed batches, so a batch is refused whole.
    if (Array.isArray(body.value)) {
      o.log.warn('batch_refused', { sessionId: sid });
      return replyMessage(res, 400, batchRefusal());
    }
    const id = requestId(body.value);
    if (session !== undefined) {
      if (id !== undefined) {
        // A reused id would take over the first request's stream and lose its answer: refuse it here.
        if (session.inFlight.has(idKey(id))) {
          o.log.warn('duplicate_id', { sessionId: sid, id });
          return replyMessage(res, 200, duplicateRefusal(id));
        }
        track(session.inFlight, idKey(id), res);
      }
      return session.transport.handleRequest(req, res, body.value);
    }
    if (!(await makeRoom(owner))) {
      return reply(res, 503, -32000, 'too many sessions: no idle session of this token to close');
    }
    await openAndHandle(principal, owner, req, res, body.value);
  }

  /**
   * Frees a slot for a new session of the token `owner` when its own or the global cap is reached, by
   * closing the least recently used idle session of that same token: no token can evict another's
   * session (even one of the same principal). False when the token has no idle session to give up.
   */
  async function makeRoom(owner: string): Promise<boolean> {
    const mine = [...sessions.values()].filter((s) => s.owner === owner);
    if (mine.length < o.maxSessionsPerPrincipal && sessions.size < o.maxSessions) return true;
    const pool = mine;
    const idle = pool.filter((s) => s.bridge.pending === 0).sort((a, b) => a.lastSeen - b.lastSeen)[0];
    if (idle === undefined) return false;
    o.log.info('session_evicted', { sessionId: idle.transport.sessionId, principal: idle.principal.id });
    await idle.transport.close();
    return true;
  }

  async function openAndHandle(
    principal: Principal,
    owner: string,
    req: IncomingMessage,
    res: ServerResponse,
    parsed: unknown,
  ): Promise<void> {
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: o.maxFrameBytes,
      onsessioninitialized: (id) => {
        if (session !== undefined) sessions.set(id, session);
        o.log.info('session_opened', { sessionId: id, principal: principal.id });
      },
    });
    // The session id exists only once the initialize request is handled; the bridge needs it before.
    const sessionId = randomUUID();
    const inFlight = new Map<string, ServerResponse>();
    const client: ClientSink = {
      async send(m, related) {
        try {
          await transport.send(m, related === undefined ? {} : { relatedRequestId: related });
        } finally {
          if (isResponse(m)) inFlight.delete(idKey(m.id));
        }
      },
    };
    const bridge = o.openSession(sessionId, principal, req.socket.remoteAddress ?? '', client);
    session = { principal, owner, inFlight, transport, bridge, lastSeen: Date.now() };
    const first = requestId(parsed);
    if (first !== undefined) track(inFlight, idKey(first), res);
    transport.onmessage = (m) => void bridge.fromClient(m);
    transport.onerror = (err) => o.log.debug('http_transport_error', { message: err.message });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.get(id) === session) sessions.delete(id);
      void bridge.close();
      if (id !== undefined) o.log.info('session_closed', { sessionId: id });
    };
    await transport.handleRequest(req, res, parsed);
    if (transport.sessionId === undefined) {
      // Not an initialize request: nothing was opened, so nothing must linger.
      await transport.close();
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log.error('http_handler_failed', { message: String(err) });
      if (!res.headersSent) reply(res, 500, -32603, 'internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, s] of sessions) {
        if (now - s.lastSeen > o.idleMs && s.bridge.pending === 0) {
          o.log.info('session_idle', { sessionId: id });
          void s.transport.close();
        }
      }
    },
    Math.min(60_000, o.idleMs),
  );
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/mcp`;

  return {
    url,
    get sessions() {
      return sessions.size;
    },
    async close() {
      closing = true;
      clearInterval(sweep);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const all = [...sessions.values()];
      sessions.clear();
      // Fail pending calls first (the answers go out on their open streams), then close the streams.
      await Promise.all(all.map((s) => s.bridge.close()));
      await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
      await stopped;
    },
  };
}
