import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_GUARD_MS } from './events.js';
import { freePort } from './processes.js';

/** Why the Redis tests are skipped here, or undefined when `redis-server` is on PATH. */
export const REDIS_MISSING: string | undefined =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
    ? undefined
    : 'redis-server is not on PATH: the Redis rate-limit store tests are skipped';

/** A throwaway redis-server (no persistence) on a fixed port, that can be stopped and started again. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts the server on `port` and resolves once it answers. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL: an outage, not a shutdown) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Kills the server if running and removes its folder. */
  dispose(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
  });
}

/** A redis-server on a free port, in a temporary folder, not yet started. */
export async function createRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      const c = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      const deadline = Date.now() + EVENT_GUARD_MS;
      while (!(await answers(port))) {
        if (c.exitCode !== null || Date.now() > deadline) {
          throw new Error(`redis-server did not start on port ${port} (exit ${c.exitCode})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async kill() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
      await exited;
      child = undefined;
    },
    async dispose() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
