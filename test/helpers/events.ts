import { existsSync, readFileSync, watch as watchDir } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Waiting on events instead of on time. Each wait resolves when the event happens; its timeout is only
 * a guard that turns a missing event into a clear failure (well before the test's own timeout).
 */

/** The guard of every wait here: generous, because a loaded machine is slow, not wrong. */
export const EVENT_GUARD_MS = 45_000;

/**
 * The one bounded wait for "nothing happened" (a frame NOT forwarded, a process NOT stopped): there is
 * no event to wait on, so the test gives the thing it rules out time to happen, then checks. `why`
 * names what is ruled out; it is not used, only read.
 */
export function settle(_why: string, ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves `probe()`'s value once it is defined, re-checking on every `subscribe` tick; rejects after `guardMs`. */
function until<T>(
  probe: () => T | undefined,
  subscribe: (tick: () => void) => () => void,
  describe: () => string,
  guardMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe = (): void => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${guardMs} ms waiting for ${describe()}`));
    }, guardMs);
    const check = (): void => {
      let value: T | undefined;
      try {
        value = probe();
      } catch (err) {
        clearTimeout(timer);
        unsubscribe();
        reject(err);
        return;
      }
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    unsubscribe = subscribe(check);
    check();
  });
}

/**
 * Resolves with the file's text once `predicate` holds for it, checked on every change of its folder
 * (the file may not exist yet). The guard rejects with the file's last text.
 */
export function untilFile(
  path: string,
  predicate: (text: string) => boolean,
  guardMs = EVENT_GUARD_MS,
): Promise<string> {
  const read = (): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return until(
    () => {
      const text = read();
      return predicate(text) ? text : undefined;
    },
    (tick) => {
      const watcher = watchDir(dirname(path), (_event, name) => {
        if (name === null || name === basename(path)) tick();
      });
      return () => watcher.close();
    },
    () => `${path} to match; it holds:\n${read().slice(-2000)}`,
    guardMs,
  );
}

/** JSON lines read from a stream (a child's stdout), with waits for the one a test expects. */
export interface JsonLines {
  /** Every message so far, in order of arrival. */
  readonly all: Record<string, unknown>[];
  /** Resolves with the first message (past or future) matching `predicate`; rejects if the stream ends first. */
  next(
    predicate: (m: Record<string, unknown>) => boolean,
    guardMs?: number,
  ): Promise<Record<string, unknown>>;
  /** The answer to request `id`. */
  answer(id: unknown, guardMs?: number): Promise<Record<string, unknown>>;
}

/** Reads JSON lines from `input`; `context` adds what to show when a wait fails (the child's stderr). */
export function jsonLines(input: Readable, context: () => string = () => ''): JsonLines {
  const all: Record<string, unknown>[] = [];
  const ticks = new Set<() => void>();
  let ended = false;
  const lines = createInterface({ input });
  lines.on('line', (line) => {
    all.push(JSON.parse(line) as Record<string, unknown>);
    for (const t of ticks) t();
  });
  lines.on('close', () => {
    ended = true;
    for (const t of ticks) t();
  });
  const next: JsonLines['next'] = (predicate, guardMs = EVENT_GUARD_MS) =>
    until(
      () => {
        const hit = all.find(predicate);
        if (hit === undefined && ended) throw new Error(`the stream ended without the message\n${context()}`);
        return hit;
      },
      (tick) => {
        ticks.add(tick);
        return () => ticks.delete(tick);
      },
      () => `a message; got ${JSON.stringify(all).slice(-1000)}\n${context()}`,
      guardMs,
    );
  return { all, next, answer: (id, guardMs) => next((m) => m.id === id && m.method === undefined, guardMs) };
}

/** `promise`, or a clear failure naming `what` if it has not settled within `guardMs`. */
export async function guarded<T>(promise: Promise<T>, what: string, guardMs = EVENT_GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${guardMs} ms waiting for ${what}`)), guardMs);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
