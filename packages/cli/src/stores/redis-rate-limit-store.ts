import { randomBytes } from 'node:crypto';
import {
  type BucketRequest,
  ErrorCode,
  GovernedError,
  type RateLimitStore,
  type RetryAfterMs,
} from '@governed-mcp/core';
import type { Redis } from 'ioredis';
import { ACQUIRE_SCRIPT, TAKE_SCRIPT } from './redis-scripts.js';

/** The key prefix of the Redis store when none is given. */
export const DEFAULT_REDIS_PREFIX = 'governed-mcp:rl:';

/** The most time one Redis command may take when none is given, in ms. */
export const DEFAULT_REDIS_TIMEOUT_MS = 50;

/** Options of {@link openRedisRateLimitStore}. */
export interface RedisStoreOptions {
  /** The server, `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: string;
  /** Prefix of every key the store writes (default `governed-mcp:rl:`). */
  readonly prefix?: string;
  /** Most time one command may take, in ms (default 50); past it the call is denied. */
  readonly timeoutMs?: number;
  /** Most time the first connection may take, in ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** Told when the connection is lost (`down`) and when it is back (`up`), once per change. */
  readonly onStateChange?: (state: 'up' | 'down', detail: string) => void;
}

interface ScriptedRedis extends Redis {
  gmcpTake(...args: (string | number)[]): Promise<number>;
  gmcpAcquire(key: string, limit: number, lifetimeMs: number, member: string): Promise<number>;
}

/** A {@link RateLimitStore} on Redis, shared by every replica that names the same server and prefix. */
export interface RedisRateLimitStore extends RateLimitStore {
  take(buckets: readonly BucketRequest[], now: number): Promise<RetryAfterMs>;
  acquire(key: string, limit: number, expiresAt: number, now: number): Promise<RetryAfterMs>;
  release(key: string, expiresAt: number): Promise<void>;
  /** Closes the connection (waits for commands in flight). */
  close(): Promise<void>;
}

function storeError(err: unknown, timeoutMs: number): GovernedError {
  const message = err instanceof Error ? err.message : String(err);
  if (/timed out/i.test(message)) {
    return new GovernedError(
      ErrorCode.RateLimitStoreTimeout,
      `${ErrorCode.RateLimitStoreTimeout}: Redis did not answer within ${timeoutMs} ms`,
      { cause: err },
    );
  }
  return new GovernedError(
    ErrorCode.RateLimitStoreUnavailable,
    `${ErrorCode.RateLimitStoreUnavailable}: ${message}`,
    { cause: err },
  );
}

/**
 * Connects to Redis and answers a rate-limit store on it. Token buckets are hashes `{tokens, at}` under
 * `<prefix>b:<key>` and concurrency slots sorted sets scored by expiry under `<prefix>s:<key>`, changed only by Lua scripts (atomic, all or nothing
 * across the buckets of one draw); idle keys expire by themselves. The scripts use the server's clock,
 * so the `now` the layer passes is ignored: replicas with skewed clocks share one timeline. A slot's
 * lifetime is the layer's `expiresAt - now`, counted from the server's time.
 *
 * Fail-closed and self-healing: a command that errs, finds the connection down (no offline queue) or
 * runs past `timeoutMs` rejects with GovernedError `rate_limit_store_unavailable` or
 * `rate_limit_store_timeout`, which denies the call; the client reconnects in the background and the
 * next call after Redis is back is decided normally. A command that timed out may still have run
 * (a token spent, a slot held until it expires): the error is on the side of denying.
 *
 * Rejects with `rate_limit_store_unavailable` when the first connection fails, so a wrong URL stops
 * the proxy at start-up rather than deny every call. Loads `ioredis` only when called.
 * @example
 * const store = await openRedisRateLimitStore({ url: 'redis://127.0.0.1:6379' });
 * const layer = createRateLimitLayer(settings, { store });
 */
export async function openRedisRateLimitStore(options: RedisStoreOptions): Promise<RedisRateLimitStore> {
  const { Redis } = await import('ioredis');
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  // Buckets and slots apart: the layer may give a bucket and a slot the same key (the principal's).
  const bucketPrefix = `${prefix}b:`;
  const slotPrefix = `${prefix}s:`;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    // No queue while disconnected: a decision waits for nobody, it is denied at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect for ever, at most half a second apart, so the store heals soon after Redis is back.
    retryStrategy: (times) => Math.min(times * 50, 500),
  }) as ScriptedRedis;
  redis.defineCommand('gmcpTake', { lua: TAKE_SCRIPT });
  redis.defineCommand('gmcpAcquire', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
  let up = false;
  let closing = false;
  let lastError = '';
  // ioredis emits every failed reconnect; only changes of state are told, and none is left unhandled.
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (up) return;
    up = true;
    options.onStateChange?.('up', redactUrl(options.url));
  });
  redis.on('close', () => {
    if (!up || closing) return;
    up = false;
    options.onStateChange?.('down', lastError || 'connection closed');
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new GovernedError(
      ErrorCode.RateLimitStoreUnavailable,
      `cannot connect to the rate-limit store at ${redactUrl(options.url)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  // Slots held by this client: (key, expiresAt) → the members to remove on release.
  const held = new Map<string, string[]>();
  const id = randomBytes(6).toString('hex');
  let seq = 0;
  const heldKey = (key: string, expiresAt: number) => `${key}\u0000${expiresAt}`;
  const fail = (err: unknown): never => {
    throw storeError(err, timeoutMs);
  };

  return {
    async take(buckets) {
      if (buckets.length === 0) return 0;
      const args: (string | number)[] = [buckets.length];
      for (const b of buckets) args.push(bucketPrefix + b.key);
      for (const b of buckets) args.push(b.capacity, b.refillPerSec);
      return Number(await redis.gmcpTake(...args).catch(fail));
    },
    async acquire(key, limit, expiresAt, now) {
      const member = `${id}:${++seq}`;
      const lifetime = Math.max(1, Math.ceil(expiresAt - now));
      const wait = Number(await redis.gmcpAcquire(slotPrefix + key, limit, lifetime, member).catch(fail));
      if (wait === 0) {
        const k = heldKey(key, expiresAt);
        const list = held.get(k);
        if (list === undefined) held.set(k, [member]);
        else list.push(member);
      }
      return wait;
    },
    async release(key, expiresAt) {
      const k = heldKey(key, expiresAt);
      const list = held.get(k);
      const member = list?.pop();
      if (list !== undefined && list.length === 0) held.delete(k);
      if (member === undefined) return;
      await redis.zrem(slotPrefix + key, member).catch(fail);
    },
    async close() {
      closing = true;
      try {
        await redis.quit();
      } catch {
        // Already disconnected: nothing to wait for.
        redis.disconnect();
      }
    },
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
