import { isGovernedError } from '@governed-mcp/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisServer, REDIS_MISSING, type RedisServer } from '../../../../test/helpers/redis.js';
import {
  openRedisRateLimitStore,
  type RedisRateLimitStore,
} from '../../src/stores/redis-rate-limit-store.js';

const SLOW = 0.001; // tokens per second: no refill within a test

function bucket(key: string, capacity: number, refillPerSec = SLOW) {
  return { key, capacity, refillPerSec };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isGovernedError(err) ? err.code : `not a GovernedError: ${String(err)}`;
  }
}

describe.skipIf(REDIS_MISSING !== undefined)(`the Redis rate-limit store ${REDIS_MISSING ?? ''}`, () => {
  let server: RedisServer;
  const stores: RedisRateLimitStore[] = [];
  let n = 0;
  // Each test gets its own prefix, so tests share one server without sharing buckets.
  async function open(prefix = `t${++n}:`, timeoutMs = 1_000): Promise<RedisRateLimitStore> {
    const store = await openRedisRateLimitStore({ url: server.url, prefix, timeoutMs });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    server = await createRedisServer();
    await server.start();
  });
  afterAll(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await server?.dispose();
  });

  it('allows exactly capacity draws from a bucket, then answers a retry time', async () => {
    const store = await open();
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push(await store.take([bucket('a', 5)], 0));
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // One token at 0.001/s is 1,000 s away.
    expect(answers[5]).toBeGreaterThan(990_000);
    expect(answers[6]).toBeGreaterThan(990_000);
  });

  it('refills a bucket with the time elapsed on the server', async () => {
    const store = await open();
    expect(await store.take([bucket('r', 1, 20)], 0)).toBe(0);
    const wait = await store.take([bucket('r', 1, 20)], 0);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(50);
    await new Promise((resolve) => setTimeout(resolve, wait + 20));
    expect(await store.take([bucket('r', 1, 20)], 0)).toBe(0);
  });

  it('takes from every bucket of a draw or from none', async () => {
    const store = await open();
    expect(await store.take([bucket('empty', 1)], 0)).toBe(0);
    expect(await store.take([bucket('full', 3), bucket('empty', 1)], 0)).toBeGreaterThan(0);
    // The refused draw left 'full' untouched: its three tokens are all there.
    for (let i = 0; i < 3; i++) expect(await store.take([bucket('full', 3)], 0)).toBe(0);
    expect(await store.take([bucket('full', 3)], 0)).toBeGreaterThan(0);
  });

  it('holds at most limit slots, frees one on release, and lets a slot expire by itself', async () => {
    const store = await open();
    expect(await store.acquire('s', 2, 10_000, 0)).toBe(0);
    expect(await store.acquire('s', 2, 10_000, 0)).toBe(0);
    const wait = await store.acquire('s', 2, 10_000, 0);
    expect(wait).toBeGreaterThan(9_000);
    await store.release('s', 10_000);
    expect(await store.acquire('s', 2, 10_000, 0)).toBe(0);

    expect(await store.acquire('e', 1, 100, 0)).toBe(0);
    expect(await store.acquire('e', 1, 100, 0)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await store.acquire('e', 1, 100, 0)).toBe(0);
  });

  it('shares buckets and slots exactly between two clients of the same prefix', async () => {
    const prefix = `shared${++n}:`;
    const [a, b] = [await open(prefix), await open(prefix)];
    // The two clients pass clocks 10 minutes apart: the server's clock decides.
    const draws = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0 ? a.take([bucket('k', 10)], 0) : b.take([bucket('k', 10)], 600_000),
      ),
    );
    expect(draws.filter((w) => w === 0)).toHaveLength(10);
    expect(await a.acquire('slot', 1, 5_000, 0)).toBe(0);
    expect(await b.acquire('slot', 1, 605_000, 600_000)).toBeGreaterThan(0);
    await a.release('slot', 5_000);
    expect(await b.acquire('slot', 1, 605_000, 600_000)).toBe(0);
  });

  it('keeps buckets and slots of the same key apart under the prefix, each with an expiry', async () => {
    const prefix = `ttl${++n}:`;
    const store = await open(prefix);
    // A bucket and a slot may share a key (the layer's per-principal ones do).
    await store.take([bucket('same', 2, 1)], 0);
    await store.acquire('same', 1, 30_000, 0);
    const raw = new Redis(server.url);
    try {
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys).toEqual([`${prefix}b:same`, `${prefix}s:same`]);
      // Bucket: one token short at 1/s refills in 1 s, plus a second of margin.
      const bucketTtl = await raw.pttl(`${prefix}b:same`);
      expect(bucketTtl).toBeGreaterThan(1_500);
      expect(bucketTtl).toBeLessThanOrEqual(2_000);
      expect(await raw.pttl(`${prefix}s:same`)).toBeGreaterThan(29_000);
    } finally {
      raw.disconnect();
    }
  });

  it('rejects with rate_limit_store_timeout within the timeout when Redis stops answering', async () => {
    const store = await open(`pause${++n}:`, 50);
    expect(await store.take([bucket('p', 5)], 0)).toBe(0);
    server.pause();
    try {
      const started = performance.now();
      expect(await codeOf(store.take([bucket('p', 5)], 0))).toBe('rate_limit_store_timeout');
      expect(await codeOf(store.acquire('q', 1, 1_000, 0))).toBe('rate_limit_store_timeout');
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      server.resume();
    }
  });

  it('rejects with rate_limit_store_unavailable while Redis is down, and works again once it is back', async () => {
    const store = await open(`outage${++n}:`, 100);
    expect(await store.take([bucket('o', 5)], 0)).toBe(0);
    await server.kill();
    const started = performance.now();
    expect(await codeOf(store.take([bucket('o', 5)], 0))).toBe('rate_limit_store_unavailable');
    expect(await codeOf(store.acquire('o', 1, 1_000, 0))).toBe('rate_limit_store_unavailable');
    expect(performance.now() - started).toBeLessThan(1_000);
    await server.start();
    // The client reconnects by itself (at most 500 ms apart); no restart of the store.
    let answer = await codeOf(store.take([bucket('o', 5)], 0));
    for (let i = 0; i < 50 && answer !== 'resolved'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await codeOf(store.take([bucket('o', 5)], 0));
    }
    expect(answer).toBe('resolved');
  });
});

it('the Redis rate-limit store refuses to open when nothing listens at the URL', async () => {
  const code = await codeOf(openRedisRateLimitStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 }));
  expect(code).toBe('rate_limit_store_unavailable');
});
