import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from './log.js';
import { type SandboxOptions, sandboxedLaunch } from './sandbox.js';
import { isRequest, isResponse } from './wire.js';

/** A child process spoken to over stdio. Its environment is built here, never from the client. */
export interface StdioUpstreamSpec {
  readonly kind: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  /** Full environment of the child (see `childEnvironment`). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Restarts allowed per window after the child exits unexpectedly. */
  readonly restart: { readonly maxRestarts: number; readonly windowMs: number };
  readonly maxFrameBytes: number;
  /** Run the child under bubblewrap (see sandbox.ts); checked at start-up by `verifySandboxFor`. */
  readonly sandbox?: SandboxOptions;
}

/** A Streamable HTTP server; `headers` (its credentials) come from the runner's config and env only. */
export interface HttpUpstreamSpec {
  readonly kind: 'http';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Largest upstream message (JSON body or SSE event); unlimited when absent. */
  readonly maxFrameBytes?: number;
}

/** Where the runner forwards to. */
export type UpstreamSpec = StdioUpstreamSpec | HttpUpstreamSpec;

/** The environment of a child upstream: the SDK's safe minimum, named pass-through variables, extras. */
export function childEnvironment(
  extra: Readonly<Record<string, string>>,
  passthrough: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = getDefaultEnvironment();
  for (const name of passthrough) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...extra };
}

/** One downstream session's connection to the upstream. */
export interface UpstreamLink {
  /** Sends a frame, (re)starting the upstream first when needed; rejects when it cannot be delivered. */
  send(message: JSONRPCMessage): Promise<void>;
  /**
   * Starts the upstream now rather than on the first frame (a child boots while the gate is built);
   * a failure here is logged, and the first frame tries again as it would have.
   */
  warm(): void;
  /** Closes the connection (terminating the child or the upstream session). */
  close(): Promise<void>;
  /** Frames from the upstream. */
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  /** The upstream went away unexpectedly: requests in flight will not be answered. */
  ondown?: (reason: string) => void;
}

const REINIT_TIMEOUT_MS = 10_000;

/**
 * Creates a lazily started link. A crashed child is restarted on the next frame (within the restart
 * budget) and re-initialized with the client's original `initialize` request, whose answer is swallowed,
 * so the client's session survives the crash; the calls that were in flight still fail closed.
 */
export function createUpstreamLink(spec: UpstreamSpec, log: Logger): UpstreamLink {
  let transport: Transport | undefined;
  let starting: Promise<Transport> | undefined;
  let closed = false;
  let initRequest: (JSONRPCMessage & { id: RequestId }) | undefined;
  let initialized: JSONRPCMessage | undefined;
  let reinit: { id: RequestId; resolve: () => void } | undefined;
  const restarts: number[] = [];
  let generation = 0;

  // Frames that arrive before a session takes the link (a warmed child speaking first) wait for it.
  let receiver: ((message: JSONRPCMessage) => void) | undefined;
  const early: JSONRPCMessage[] = [];
  const link: UpstreamLink = {
    send,
    warm,
    close,
    get onmessage() {
      return receiver;
    },
    set onmessage(handler) {
      receiver = handler;
      if (handler !== undefined) for (const m of early.splice(0)) handler(m);
    },
  };
  const deliver = (m: JSONRPCMessage): void => {
    if (receiver === undefined) early.push(m);
    else receiver(m);
  };

  async function open(): Promise<Transport> {
    if (spec.kind === 'http') {
      // The HTTP client transport loads only for an HTTP upstream; a stdio child never needs it.
      const [{ StreamableHTTPClientTransport }, { limitedFetch }] = await Promise.all([
        import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
        import('./limited-fetch.js'),
      ]);
      return new StreamableHTTPClientTransport(new URL(spec.url), {
        requestInit: { headers: { ...spec.headers } },
        redirectPolicy: 'same-origin',
        ...(spec.maxFrameBytes === undefined ? {} : { fetch: limitedFetch(spec.maxFrameBytes) }),
      });
    }
    const run = spec.sandbox === undefined ? spec : sandboxedLaunch(spec.sandbox, spec);
    const child = new StdioClientTransport({
      command: run.command,
      args: [...run.args],
      env: { ...run.env },
      stderr: 'pipe',
      maxBufferSize: spec.maxFrameBytes,
      ...(run.cwd === undefined ? {} : { cwd: run.cwd }),
    });
    const stderr = child.stderr as Readable | null;
    if (stderr !== null) {
      createInterface({ input: stderr }).on('line', (line) =>
        log.info('upstream_stderr', { line: line.slice(0, 2000) }),
      );
    }
    return child;
  }

  async function start(): Promise<Transport> {
    const gen = ++generation;
    const t = await open();
    t.onmessage = (m) => {
      if (gen !== generation) return;
      if (reinit !== undefined && isResponse(m) && m.id === reinit.id) {
        reinit.resolve();
        return;
      }
      if (initRequest !== undefined && isResponse(m) && m.id === initRequest.id) noteVersion(t, m);
      deliver(m);
    };
    // Aborted streams are expected once the link is closing.
    t.onerror = (err) => (closed ? log.debug : log.warn)('upstream_error', { message: err.message });
    t.onclose = () => {
      if (gen !== generation || closed) return;
      transport = undefined;
      log.warn('upstream_down', { kind: spec.kind });
      link.ondown?.('the upstream closed the connection');
    };
    await t.start();
    if (spec.kind === 'stdio') log.info('upstream_started', { command: spec.command, pid: pidOf(t) });
    return t;
  }

  async function restart(): Promise<Transport> {
    const now = Date.now();
    const budget = spec.kind === 'stdio' ? spec.restart : { maxRestarts: 0, windowMs: 1 };
    while (restarts.length > 0 && now - (restarts[0] ?? 0) > budget.windowMs) restarts.shift();
    if (restarts.length >= budget.maxRestarts)
      throw new Error('the upstream is down and its restart budget is spent');
    restarts.push(now);
    log.warn('upstream_restart', { attempt: restarts.length });
    const t = await start();
    if (initRequest !== undefined) {
      const id = `governed-mcp-reinit-${generation}`;
      const answered = new Promise<void>((resolve, reject) => {
        reinit = { id, resolve };
        setTimeout(
          () => reject(new Error('the restarted upstream did not answer initialize')),
          REINIT_TIMEOUT_MS,
        ).unref();
      });
      await t.send({ ...initRequest, id } as JSONRPCMessage);
      await answered.finally(() => {
        reinit = undefined;
      });
      if (initialized !== undefined) await t.send(initialized);
    }
    return t;
  }

  function ensure(): Promise<Transport> {
    if (closed) return Promise.reject(new Error('the upstream link is closed'));
    if (transport !== undefined) return Promise.resolve(transport);
    if (starting === undefined) {
      starting = (generation === 0 ? start() : restart()).then(
        (t) => {
          transport = t;
          starting = undefined;
          return t;
        },
        (err: unknown) => {
          starting = undefined;
          throw err;
        },
      );
    }
    return starting;
  }

  function warm(): void {
    ensure().catch((err: unknown) =>
      log.warn('upstream_warm_failed', { message: err instanceof Error ? err.message : String(err) }),
    );
  }

  async function send(message: JSONRPCMessage): Promise<void> {
    const m = message as { method?: unknown };
    if (m.method === 'initialize' && isRequest(message)) initRequest = message;
    if (m.method === 'notifications/initialized') initialized = message;
    const t = await ensure();
    await t.send(message);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const t = transport ?? (await starting?.catch(() => undefined));
    transport = undefined;
    if (t === undefined) return;
    const session = spec.kind === 'http' ? (t as StreamableHTTPClientTransport) : undefined;
    if (session?.sessionId !== undefined) await session.terminateSession().catch(() => undefined);
    await t.close().catch(() => undefined);
  }

  return link;
}

function noteVersion(t: Transport, m: JSONRPCMessage): void {
  const version = (m as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
  if (typeof version === 'string') t.setProtocolVersion?.(version);
}

function pidOf(t: Transport): number | null {
  return t instanceof StdioClientTransport ? t.pid : null;
}
