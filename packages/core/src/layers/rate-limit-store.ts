/** One bucket to draw a token from: `key` names it (principal and scope), the rest sizes it. */
export interface BucketRequest {
  readonly key: string;
  readonly capacity: number;
  readonly refillPerSec: number;
}

/** What a store answers for a draw: `0` when every token was taken, else milliseconds to wait. */
export type RetryAfterMs = number;

/**
 * Where the rate-limit layer keeps its state. The in-memory store is the default; a store backed by
 * a shared database lets several gateway replicas share limits. Methods may answer synchronously or
 * with a promise; a rejected promise or a throw denies the call (fail-closed).
 */
export interface RateLimitStore {
  /**
   * Takes one token from every bucket, all or nothing, at time `now` (ms). Answers 0 when taken, else
   * the time until every bucket holds a token again (nothing is taken then).
   */
  take(buckets: readonly BucketRequest[], now: number): RetryAfterMs | Promise<RetryAfterMs>;
  /**
   * Takes a concurrency slot under `key` unless `limit` slots are held. A slot expires by itself at
   * `expiresAt` (ms), so a call that never settles cannot hold it forever. Answers 0 when taken, else
   * the time until the earliest held slot expires.
   */
  acquire(key: string, limit: number, expiresAt: number, now: number): RetryAfterMs | Promise<RetryAfterMs>;
  /** Gives back the slot taken with this `key` and `expiresAt`. */
  release(key: string, expiresAt: number): void | Promise<void>;
}

/** Options of the in-memory store. */
export interface MemoryStoreOptions {
  /** The most buckets held at once (default 100,000); past it the least recently used is dropped. */
  readonly maxBuckets?: number;
}

interface BucketState {
  tokens: number;
  at: number;
  capacity: number;
  refillPerSec: number;
}

function refilled(state: BucketState, capacity: number, refillPerSec: number, now: number): number {
  const elapsed = now > state.at ? now - state.at : 0;
  return Math.min(capacity, state.tokens + (elapsed * refillPerSec) / 1000);
}

/**
 * The default store: token buckets and concurrency slots in process memory. Memory stays bounded:
 * buckets are kept in least-recently-used order, every draw drops up to two idle buckets that have
 * refilled to capacity (a full bucket is the same as no bucket), and `maxBuckets` caps the rest.
 * Slots live only while calls are in flight.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets = new Map<string, BucketState>();
  readonly #slots = new Map<string, number[]>();
  readonly #max: number;

  /** A store holding at most `maxBuckets` buckets. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#max = options.maxBuckets ?? 100_000;
  }

  /** How many buckets and slot keys are held (for tests and metrics). */
  get size(): { buckets: number; slots: number } {
    return { buckets: this.#buckets.size, slots: this.#slots.size };
  }

  take(buckets: readonly BucketRequest[], now: number): RetryAfterMs {
    this.#sweep(now);
    let wait = 0;
    for (const req of buckets) {
      const state = this.#buckets.get(req.key);
      const tokens =
        state === undefined ? req.capacity : refilled(state, req.capacity, req.refillPerSec, now);
      if (tokens < 1) wait = Math.max(wait, Math.ceil(((1 - tokens) * 1000) / req.refillPerSec));
    }
    if (wait > 0) return wait;
    for (const req of buckets) {
      const state = this.#buckets.get(req.key);
      if (state === undefined) {
        if (this.#buckets.size >= this.#max) this.#dropOldest();
        const fresh = {
          tokens: req.capacity - 1,
          at: now,
          capacity: req.capacity,
          refillPerSec: req.refillPerSec,
        };
        this.#buckets.set(req.key, fresh);
        continue;
      }
      state.tokens = refilled(state, req.capacity, req.refillPerSec, now) - 1;
      state.at = now;
      state.capacity = req.capacity;
      state.refillPerSec = req.refillPerSec;
      // Move to the back: the map's order is least recently used first.
      this.#buckets.delete(req.key);
      this.#buckets.set(req.key, state);
    }
    return 0;
  }

  acquire(key: string, limit: number, expiresAt: number, now: number): RetryAfterMs {
    let held = this.#slots.get(key);
    if (held !== undefined) {
      // Drop expired slots in place.
      let w = 0;
      for (const t of held) if (t > now) held[w++] = t;
      held.length = w;
      if (w === 0) {
        this.#slots.delete(key);
        held = undefined;
      }
    }
    if (held !== undefined && held.length >= limit) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const t of held) if (t < earliest) earliest = t;
      return Math.max(1, Math.ceil(earliest - now));
    }
    if (held === undefined) this.#slots.set(key, [expiresAt]);
    else held.push(expiresAt);
    return 0;
  }

  release(key: string, expiresAt: number): void {
    const held = this.#slots.get(key);
    if (held === undefined) return;
    const i = held.indexOf(expiresAt);
    if (i >= 0) held.splice(i, 1);
    if (held.length === 0) this.#slots.delete(key);
  }

  #dropOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }

  /** Drops up to two least recently used buckets that have refilled to capacity. */
  #sweep(now: number): void {
    for (let n = 0; n < 2; n++) {
      const first = this.#buckets.entries().next();
      if (first.done) return;
      const [key, state] = first.value;
      if (refilled(state, state.capacity, state.refillPerSec, now) < state.capacity) return;
      this.#buckets.delete(key);
    }
  }
}
