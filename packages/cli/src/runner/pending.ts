import { idKey } from '@governed-mcp/middleware-mcp';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

interface Entry {
  readonly id: RequestId;
  readonly method: string;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests forwarded in one direction that still await an answer. Each has a timer; when it fires the
 * request fails closed and its late answer, should it come, is dropped rather than delivered twice.
 */
export class PendingTable {
  readonly #entries = new Map<string, Entry>();
  /** Ids failed by the runner whose late answers must be dropped (bounded). */
  readonly #failed = new Set<string>();
  readonly #timeoutMs: number;
  readonly #onTimeout: (id: RequestId, method: string) => void;

  constructor(timeoutMs: number, onTimeout: (id: RequestId, method: string) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when a request with this id is in flight (a reused id). */
  has(id: RequestId): boolean {
    return this.#entries.has(idKey(id));
  }

  /** Records a forwarded request. */
  add(id: RequestId, method: string): void {
    const key = idKey(id);
    this.#failed.delete(key);
    const timer = setTimeout(() => {
      if (this.#entries.get(key)?.timer !== timer) return;
      this.#entries.delete(key);
      this.#markFailed(key);
      this.#onTimeout(id, method);
    }, this.#timeoutMs);
    timer.unref();
    this.#entries.set(key, { id, method, timer });
  }

  /**
   * Settles the request an answer belongs to. Returns 'pending' when it was in flight, 'failed' when
   * the runner already failed it (drop the answer), 'unknown' otherwise.
   */
  settle(id: RequestId): 'pending' | 'failed' | 'unknown' {
    const key = idKey(id);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      clearTimeout(entry.timer);
      this.#entries.delete(key);
      return 'pending';
    }
    return this.#failed.has(key) ? 'failed' : 'unknown';
  }

  /** The most recent request still in flight (the one a stray notification most likely belongs to). */
  latest(): RequestId | undefined {
    let last: Entry | undefined;
    for (const e of this.#entries.values()) last = e;
    return last?.id;
  }

  /** Removes and returns every pending request, marking each failed. */
  drain(): { id: RequestId; method: string }[] {
    const out = [...this.#entries.entries()].map(([key, e]) => {
      clearTimeout(e.timer);
      this.#markFailed(key);
      return { id: e.id, method: e.method };
    });
    this.#entries.clear();
    return out;
  }

  #markFailed(key: string): void {
    this.#failed.add(key);
    if (this.#failed.size > 4096) {
      const oldest = this.#failed.values().next().value;
      if (oldest !== undefined) this.#failed.delete(oldest);
    }
  }
}
