import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '@governed-mcp/core';

/** The workspace root: the nearest folder above this file with a pnpm-workspace.yaml. */
export function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('not inside the governed-mcp workspace');
    dir = up;
  }
  return dir;
}

/** Paths the benchmark runs: the built CLI and server-everything from the e2e package. */
export function benchPaths(root = workspaceRoot()): { cli: string; everything: string } {
  const cli = join(root, 'packages/cli/bin/governed-mcp.js');
  const everything = join(root, 'test/node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  if (!existsSync(join(root, 'packages/cli/dist/src/cli/main.js'))) {
    throw new Error('the CLI is not built: run `pnpm -s build` first');
  }
  if (!existsSync(everything)) throw new Error(`server-everything not installed at ${everything}`);
  return { cli, everything };
}

/**
 * A proxy config for measuring: the default tiers with rate limits raised out of the way (the benchmark
 * measures the runner, not a bucket refusing it), and an audit chain (fsync by default, as in production).
 */
export function benchConfig(durability: 'fsync' | 'group' | 'none' = 'fsync'): {
  config: string;
  audit: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-bench-proxy-'));
  const huge = { capacity: 1_000_000, refillPerSec: 1_000_000 };
  const tiers = DEFAULT_SETTINGS.tiers.map((t) => ({
    ...t,
    rateLimit: { perPrincipalTool: huge, perPrincipal: huge, maxConcurrent: 1024 },
  }));
  const audit = join(dir, 'audit.jsonl');
  const config = join(dir, 'proxy.json');
  writeFileSync(
    config,
    JSON.stringify({
      settings: { tiers },
      audit: { path: audit, durability },
      limits: { maxPending: 1024 },
      log: { level: 'info' },
    }),
  );
  return { config, audit };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A started background process and how to stop it. */
export interface Background {
  readonly url: string;
  stop(): Promise<void>;
}

/** Spawns `args` and resolves once a stderr line matches `ready`, with the URL it yields. */
export function background(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: (line: string) => string | undefined,
  timeoutMs = 20_000,
): Promise<Background> {
  const child: ChildProcess = spawn(process.execPath, [...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const url = ready(line);
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}

/** server-everything in Streamable HTTP mode on a fresh port. */
export async function everythingHttp(everything: string): Promise<Background> {
  const port = await freePort();
  return background([everything, 'streamableHttp'], { ...process.env, PORT: String(port) }, (l) =>
    l.includes('listening on port') ? `http://127.0.0.1:${port}/mcp` : undefined,
  );
}

/** The built proxy listening on HTTP in front of `upstreamUrl`. */
export function proxyHttp(cli: string, config: string, upstreamUrl: string): Promise<Background> {
  return background(
    [cli, 'proxy', '--config', config, '--listen', '127.0.0.1:0', '--upstream-url', upstreamUrl],
    process.env,
    (l) => {
      if (!l.includes('"event":"listening"')) return undefined;
      return (JSON.parse(l) as { url?: string }).url;
    },
  );
}
