import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ErrorCode, GovernedError } from '@governed-mcp/core';
import type { CompiledPolicy } from './compile.js';
import { formatDiagnostic, type PolicyDiagnostic } from './diagnostics.js';
import type { PolicyHolder } from './layer.js';
import { loadPolicyFile } from './load.js';

/** Raised when a policy file does not load: the gate must not start without its policy. */
export class PolicyLoadError extends GovernedError {
  override readonly name = 'PolicyLoadError';
  readonly diagnostics: readonly PolicyDiagnostic[];

  constructor(path: string, diagnostics: readonly PolicyDiagnostic[]) {
    const lines = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    super(ErrorCode.InvalidConfig, `policy ${path} is invalid:\n${lines.join('\n')}`);
    this.diagnostics = diagnostics;
  }
}

/** Options of `watchPolicyFile`. */
export interface WatchOptions {
  /** Called after a changed policy was checked and swapped in. */
  readonly onReload?: (policy: CompiledPolicy, previous: CompiledPolicy) => void;
  /** Called when a change does not load; the previous policy stays. Default: a loud message on stderr. */
  readonly onError?: (diagnostics: readonly PolicyDiagnostic[], kept: CompiledPolicy) => void;
  /** Quiet time after a change before reloading, in ms. Default 50. */
  readonly debounceMs?: number;
  /** How often files are also polled (fs.watch misses changes on some file systems), in ms. Default 1000. */
  readonly pollMs?: number;
}

/** A policy that follows its files. */
export interface WatchedPolicy extends PolicyHolder {
  /** Checks the files now and swaps the policy in when it loads; resolves true when it loaded. */
  reload(): Promise<boolean>;
  /** Stops watching. */
  close(): void;
}

function complain(diagnostics: readonly PolicyDiagnostic[], kept: CompiledPolicy): void {
  const lines = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  process.stderr.write(
    `governed-mcp: POLICY RELOAD REJECTED; still enforcing policy ${kept.hash.slice(0, 16)}…\n${lines.join('\n')}\n`,
  );
}

/**
 * Loads a policy file and keeps it current: a change (to the file or any file it includes) is
 * checked and, when valid, swapped in atomically; a broken change keeps the old policy and is
 * reported. Rejects with PolicyLoadError when the first load fails.
 * @example
 * const policy = await watchPolicyFile('governed.policy', { onReload: (p) => log(p.hash) });
 * const layer = createPolicyLayer(policy);
 */
export async function watchPolicyFile(path: string, options: WatchOptions = {}): Promise<WatchedPolicy> {
  const first = await loadPolicyFile(path);
  if (!first.ok) throw new PolicyLoadError(path, first.error);
  let current = first.value;
  const onError = options.onError ?? complain;
  const debounceMs = options.debounceMs ?? 50;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let again = false;
  let watchers = new Map<string, FSWatcher>();
  let signatures = new Map<string, string>();

  const signature = async (file: string): Promise<string> => {
    try {
      const s = await stat(file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  const files = (): string[] => [...new Set([resolve(path), ...current.files.map((f) => resolve(f))])];

  const track = async (): Promise<void> => {
    const wanted = files();
    const dirs = new Set(wanted.map((f) => dirname(f)));
    const names = new Set(wanted.map((f) => basename(f)));
    const next = new Map<string, FSWatcher>();
    for (const dir of dirs) {
      const existing = watchers.get(dir);
      if (existing !== undefined) {
        next.set(dir, existing);
        continue;
      }
      try {
        // The directory, not the file: editors save by renaming a new file over the old one.
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || names.has(basename(String(name)))) schedule();
        });
        w.on('error', () => undefined);
        next.set(dir, w);
      } catch {
        // The poll below still sees changes.
      }
    }
    for (const [dir, w] of watchers) if (!next.has(dir)) w.close();
    watchers = next;
    signatures = new Map(await Promise.all(wanted.map(async (f) => [f, await signature(f)] as const)));
  };

  const reloadNow = async (): Promise<boolean> => {
    const r = await loadPolicyFile(path);
    if (closed) return false;
    if (!r.ok) {
      await track();
      onError(r.error, current);
      return false;
    }
    const previous = current;
    // The same text compiles to the same policy: keep the object so nothing downstream sees a swap.
    if (previous.hash !== r.value.hash) current = r.value;
    await track();
    if (previous !== current) options.onReload?.(current, previous);
    return true;
  };

  const reload = async (): Promise<boolean> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = reloadNow();
    try {
      return await running;
    } finally {
      running = undefined;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  function schedule(): void {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, debounceMs);
    timer.unref();
  }

  const poll = setInterval(async () => {
    for (const [file, before] of signatures) {
      if ((await signature(file)) !== before) {
        schedule();
        return;
      }
    }
  }, options.pollMs ?? 1000);
  poll.unref();
  await track();

  return {
    get current() {
      return current;
    },
    reload,
    close() {
      closed = true;
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
