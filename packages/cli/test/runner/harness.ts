import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { PeerInfo, Routed } from '@governed-mcp/middleware-mcp';
import { EVENT_GUARD_MS, untilFile } from '../../../../test/helpers/events.js';
import type { BridgeMediator } from '../../src/runner/bridge.js';
import { createLogger, type Logger } from '../../src/runner/log.js';
import type { StdioUpstreamSpec } from '../../src/runner/upstream.js';
import { childEnvironment } from '../../src/runner/upstream.js';

/** The fixture server that records what it receives. */
export const FIXTURE_SERVER = fileURLToPath(new URL('./fixtures/upstream-server.mjs', import.meta.url));

/** A mediator that forwards everything and records every frame and peer (for transport tests only). */
export interface RecordingMediator extends BridgeMediator {
  readonly fromClientFrames: { frame: unknown; peer: PeerInfo }[];
  readonly fromServerFrames: unknown[];
  closed: number;
  failPendingCalls: number;
}

/** Forwards every frame unchanged; the real mediator is exercised in the e2e tests. */
export function recordingMediator(): RecordingMediator {
  const m: RecordingMediator = {
    fromClientFrames: [],
    fromServerFrames: [],
    closed: 0,
    failPendingCalls: 0,
    async fromClient(frame, peer): Promise<Routed> {
      m.fromClientFrames.push({ frame, peer });
      return { toServer: [frame as never], toClient: [] };
    },
    async fromServer(frame): Promise<Routed> {
      m.fromServerFrames.push(frame);
      return { toServer: [], toClient: [frame as never] };
    },
    async failPending(): Promise<Routed> {
      m.failPendingCalls++;
      return { toServer: [], toClient: [] };
    },
    async close() {
      m.closed++;
    },
  };
  return m;
}

/** A temp dir and the fixture upstream spec that logs received messages into it. */
export function fixtureUpstream(overrides: Partial<StdioUpstreamSpec> = {}): {
  spec: StdioUpstreamSpec;
  received: () => Received[];
  /** Resolves once what the upstream received satisfies `check` (re-checked on each change of its log). */
  untilReceived: (check: (all: Received[]) => boolean) => Promise<void>;
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-runner-'));
  const log = join(dir, 'received.jsonl');
  const spec: StdioUpstreamSpec = {
    kind: 'stdio',
    command: process.execPath,
    args: [FIXTURE_SERVER],
    env: childEnvironment({ RECEIVED_LOG: log, FIXTURE_SECRET: 'from-runner-config' }, []),
    restart: { maxRestarts: 2, windowMs: 60_000 },
    maxFrameBytes: 1024 * 1024,
    ...overrides,
  };
  const received = (): Received[] => {
    try {
      return readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
  const untilReceived = async (check: (all: Received[]) => boolean): Promise<void> => {
    await untilFile(log, () => check(received()));
  };
  return { spec, received, untilReceived, dir };
}

/** One message as the fixture upstream received it. */
export interface Received {
  readonly pid: number;
  readonly method?: string;
  readonly id?: unknown;
  readonly params?: Record<string, unknown>;
}

/** A logger that keeps its lines in memory, with a wait for an event to be logged. */
export function memoryLogger(): {
  log: Logger;
  lines: Record<string, unknown>[];
  /** Resolves with the first line (past or future) of `event`. */
  until: (event: string) => Promise<Record<string, unknown>>;
} {
  const lines: Record<string, unknown>[] = [];
  const waiters = new Map<string, ((line: Record<string, unknown>) => void)[]>();
  const log = createLogger('debug', (l) => {
    const line = JSON.parse(l) as Record<string, unknown>;
    lines.push(line);
    const event = String(line.event);
    for (const w of waiters.get(event)?.splice(0) ?? []) w(line);
  });
  const until = (event: string): Promise<Record<string, unknown>> => {
    const seen = lines.find((l) => l.event === event);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} logged`)), EVENT_GUARD_MS);
      const list = waiters.get(event) ?? [];
      list.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      waiters.set(event, list);
    });
  };
  return { log, lines, until };
}

/** A raw JSON-lines client on in-memory pipes (the runner's stdio side). */
export function lineClient(): {
  stdin: PassThrough;
  stdout: PassThrough;
  send(frame: unknown): void;
  sendRaw(text: string): void;
  next(
    predicate?: (m: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  request(id: number, method: string, params?: unknown): Promise<Record<string, unknown>>;
} {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const inbox: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      inbox.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
    for (const w of waiters.splice(0)) w();
  });
  const next = async (
    predicate: (m: Record<string, unknown>) => boolean = () => true,
    timeoutMs = EVENT_GUARD_MS,
  ): Promise<Record<string, unknown>> => {
    // Woken by each arriving message; the timer only guards against one that never comes.
    let timedOut = false;
    const guard = setTimeout(() => {
      timedOut = true;
      for (const w of waiters.splice(0)) w();
    }, timeoutMs);
    try {
      for (;;) {
        const i = inbox.findIndex(predicate);
        if (i >= 0) return inbox.splice(i, 1)[0] as Record<string, unknown>;
        if (timedOut)
          throw new Error(`no matching message in time; inbox: ${JSON.stringify(inbox).slice(0, 500)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    } finally {
      clearTimeout(guard);
    }
  };
  const send = (frame: unknown): void => {
    stdin.write(`${JSON.stringify(frame)}\n`);
  };
  return {
    stdin,
    stdout,
    send,
    sendRaw: (text) => stdin.write(text),
    next,
    request(id, method, params) {
      send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
      return next((m) => m.id === id);
    },
  };
}

/** The initialize handshake, done by hand. */
export async function handshake(c: ReturnType<typeof lineClient>): Promise<Record<string, unknown>> {
  const init = await c.request(0, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'runner-test', version: '1.0.0' },
  });
  c.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return init;
}
