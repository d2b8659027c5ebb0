import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Background } from './targets.js';

/** The peers `bench peers` compares against, by package name. */
export const PEER_NAMES = ['supergateway', 'mcp-proxy', '@microsoft/agent-governance-sdk'] as const;

/** One of {@link PEER_NAMES}. */
export type PeerName = (typeof PEER_NAMES)[number];

/** How a peer was found: its version and where its package and its bin (if any) lie. */
export type PeerInfo =
  | { readonly installed: true; readonly version: string; readonly dir: string; readonly bin?: string }
  | { readonly installed: false };

/**
 * Finds an installed peer through module resolution from this file; a peer that does not resolve, or
 * one named in `hidden` (as if not installed), is `{ installed: false }`.
 */
export function findPeer(name: PeerName, hidden: readonly string[] = []): PeerInfo {
  if (hidden.includes(name)) return { installed: false };
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${name}/package.json`);
  } catch {
    return { installed: false };
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    version?: string;
    bin?: string | Record<string, string>;
  };
  const dir = dirname(manifest);
  const binRel =
    typeof pkg.bin === 'string' ? pkg.bin : pkg.bin === undefined ? undefined : Object.values(pkg.bin)[0];
  return {
    installed: true,
    version: pkg.version ?? 'unknown',
    dir,
    ...(binRel === undefined ? {} : { bin: join(dir, binRel) }),
  };
}

/**
 * Spawns `node args…` as the leader of its own process group and resolves once a line of its stdout or
 * stderr matches `ready`. `stop()` signals the whole group, so servers a peer spawned per session go too.
 */
export function spawnGroup(
  args: readonly string[],
  ready: RegExp,
  url: string,
  timeoutMs = 20_000,
): Promise<Background> {
  const child: ChildProcess = spawn(process.execPath, [...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // The group is already gone.
    }
  };
  const stop = (): Promise<void> =>
    new Promise<void>((done) => {
      const kill = setTimeout(() => signal('SIGKILL'), 5000);
      kill.unref();
      if (child.exitCode !== null || child.signalCode !== null) {
        signal('SIGTERM');
        return done();
      }
      child.once('exit', () => {
        // Children that outlived the leader get the same signal.
        signal('SIGTERM');
        done();
      });
      signal('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
    const onLine = (line: string): void => {
      if (!ready.test(line)) return;
      clearTimeout(timer);
      resolve({ url, stop });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  });
}
