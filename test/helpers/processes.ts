import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EVENT_GUARD_MS } from './events.js';

/** The repository root. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the governed-mcp CLI from source (no build needed). */
export const CLI = [
  '--conditions=@governed-mcp/source',
  '--import',
  'tsx',
  join(REPO, 'packages/cli/src/cli/main.ts'),
] as const;

const MODULES = join(REPO, 'test/node_modules/@modelcontextprotocol');

/** Entry points of the real MCP servers from npm. */
export const SERVERS = {
  filesystem: join(MODULES, 'server-filesystem/dist/index.js'),
  everything: join(MODULES, 'server-everything/dist/index.js'),
} as const;

/** The conformance suite's CLI. */
export const CONFORMANCE = join(REPO, 'test/node_modules/.bin/conformance');

/** A port the OS just handed out on 127.0.0.1 (for servers that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A child process whose stderr lines are kept, with a bounded wait for a line and a bounded stop. */
export interface Watched {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first stderr line (past or future) matching `predicate`. */
  waitFor(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by signal). */
  stop(graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** Kills every child still running (call from afterAll). */
export function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

/** Spawns and watches a process. */
export function watch(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Watched {
  const child = spawn(command, [...args], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  // The stream, not the exit, ends the lines: the last ones can be read after 'exit' fires.
  let stderrEnded = false;
  const stderr = createInterface({ input: child.stderr! });
  stderr.on('line', (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) w();
  });
  stderr.on('close', () => {
    stderrEnded = true;
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      for (const w of waiters.splice(0)) w();
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    exited,
    async waitFor(predicate, timeoutMs = EVENT_GUARD_MS) {
      // Woken by each new line and by the exit; the timer only guards against a line that never comes.
      let timedOut = false;
      const guard = setTimeout(() => {
        timedOut = true;
        for (const w of waiters.splice(0)) w();
      }, timeoutMs);
      try {
        for (;;) {
          const hit = lines.find(predicate);
          if (hit !== undefined) return hit;
          if (stderrEnded || timedOut) {
            throw new Error(
              `no matching stderr line (exit ${child.exitCode}):\n${lines.slice(-20).join('\n')}`,
            );
          }
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      } finally {
        clearTimeout(guard);
      }
    },
    async stop(graceMs = 8000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Starts the proxy CLI and waits for its `listening` log line; `url` is set when it listens on HTTP. */
export async function startProxy(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<Watched & { url?: string }> {
  const w = watch(process.execPath, [...CLI, 'proxy', ...args], env);
  const line = await w.waitFor((l) => l.includes('"event":"listening"'));
  const url = (JSON.parse(line) as { url?: string }).url;
  return url === undefined ? w : { ...w, url };
}

/** `server-everything streamableHttp` on a fresh port. */
export async function startEverythingHttp(): Promise<Watched & { url: string }> {
  const port = await freePort();
  const w = watch(process.execPath, [SERVERS.everything, 'streamableHttp'], {
    ...process.env,
    PORT: String(port),
  });
  await w.waitFor((l) => l.includes('listening on port'));
  return { ...w, url: `http://127.0.0.1:${port}/mcp` };
}

/** Runs `governed-mcp audit verify FILE --json`. */
export async function verifyAudit(
  file: string,
): Promise<{ code: number | null; report: { ok: boolean; records: number; head: string } }> {
  const child = spawn(process.execPath, [...CLI, 'audit', 'verify', file, '--json'], { cwd: REPO });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, report: JSON.parse(out) };
}
