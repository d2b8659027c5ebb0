import { type Decision, deny } from '../decision.js';
import { isGovernedError } from '../errors.js';
import { type CallContext, defineLayer, type Layer, type Next } from '../layer.js';
import type { GateSettings } from '../settings.js';
import { BoundedCache } from './bounded-cache.js';
import { LayerCode } from './codes.js';
import { type BucketRequest, MemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.js';
import { TIER_FACT } from './tier-layer.js';
import { createTierTable, type RateLimitPlan, type TierTable } from './tier-table.js';

/** The rate-limit layer's name in reasons and traces. */
export const RATE_LIMIT_LAYER = 'rate-limit';

/** Options of the rate-limit layer. */
export interface RateLimitLayerOptions {
  /** Where buckets and slots live; default a fresh `MemoryRateLimitStore`. */
  readonly store?: RateLimitStore;
  /** The clock in ms (default `performance.now`); tests inject their own. */
  readonly now?: () => number;
  /** The tier table to resolve limits with when no tier layer ran before; default built from settings. */
  readonly table?: TierTable;
}

const SEP = '\u0000';

function describeStoreError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates the rate-limit layer: token buckets per (principal, tool), per principal and per rule group,
 * and a cap on calls of one principal being decided at once, all from the tier table (see
 * `DEFAULT_SETTINGS`). A denied call carries `retryAfterMs` in `reason.data`.
 *
 * Concurrency is a counter of leased slots, not a p-limit queue: a limiter must answer "not now"
 * at once rather than queue callers without bound. A slot is released when the rest of the pipeline
 * settles (allow, deny or throw) and expires by itself at the call's deadline, so a downstream that
 * never settles cannot leak it.
 * @example
 * const rateLimit = createRateLimitLayer(settings, { store: new MemoryRateLimitStore({ maxBuckets: 10_000 }) });
 */
export function createRateLimitLayer(settings: GateSettings, options: RateLimitLayerOptions = {}): Layer {
  const store = options.store ?? new MemoryRateLimitStore();
  const now = options.now ?? (() => performance.now());
  let table = options.table;

  function plan(ctx: CallContext): RateLimitPlan | Decision {
    const fact = ctx.get(TIER_FACT);
    if (fact !== undefined) return fact.profile.rateLimit;
    table ??= createTierTable(settings);
    const resolved = table.resolve(ctx.call);
    return resolved.ok
      ? resolved.fact.profile.rateLimit
      : deny(RATE_LIMIT_LAYER, resolved.code, resolved.detail);
  }

  // The store keys of one principal under one plan, built once: a call allocates no key strings.
  interface Keys {
    readonly requests: readonly BucketRequest[];
    readonly slots: readonly string[];
  }
  const keysByPrincipal = new BoundedCache<string, WeakMap<RateLimitPlan, Keys>>(10_000);

  function keysOf(principal: string, p: RateLimitPlan): Keys {
    let plans = keysByPrincipal.get(principal);
    if (plans === undefined) {
      plans = new WeakMap();
      keysByPrincipal.set(principal, plans);
    }
    let keys = plans.get(p);
    if (keys === undefined) {
      keys = {
        requests: p.buckets.map((b) => ({
          key: principal + SEP + b.key,
          capacity: b.capacity,
          refillPerSec: b.refillPerSec,
        })),
        slots: p.concurrency.map((c) => principal + SEP + c.key),
      };
      plans.set(p, keys);
    }
    return keys;
  }

  async function rateLimitLayer(ctx: CallContext, next: Next): Promise<Decision> {
    const p = plan(ctx);
    if ('outcome' in p) return p;
    const principal = ctx.call.principal.id;
    const keys = keysOf(principal, p);
    const t = now();
    const expiresAt = t + ctx.remainingMs();
    let held = 0;
    try {
      for (let i = 0; i < p.concurrency.length; i++) {
        const c = p.concurrency[i] as RateLimitPlan['concurrency'][number];
        const answer = store.acquire(keys.slots[i] as string, c.limit, expiresAt, t);
        const wait = typeof answer === 'number' ? answer : await answer;
        if (wait > 0) {
          await releaseAll(keys.slots, held, expiresAt);
          return deny(
            RATE_LIMIT_LAYER,
            LayerCode.ConcurrencyLimited,
            `principal '${principal}' already has ${c.limit} calls in flight (${c.scope} limit)`,
            { retryAfterMs: Math.min(wait, 1000), scope: c.scope, limit: c.limit },
          );
        }
        held++;
      }
      const answer = store.take(keys.requests, t);
      const wait = typeof answer === 'number' ? answer : await answer;
      if (wait > 0) {
        await releaseAll(keys.slots, held, expiresAt);
        return deny(RATE_LIMIT_LAYER, LayerCode.RateLimited, `rate limit reached; retry in ${wait} ms`, {
          retryAfterMs: wait,
        });
      }
    } catch (err) {
      await releaseAll(keys.slots, held, expiresAt);
      return {
        outcome: 'deny',
        reasons: [
          {
            layer: RATE_LIMIT_LAYER,
            // A store that names its failure (a shared store's outage or timeout) is denied under
            // that code; anything else is the generic store failure.
            code:
              isGovernedError(err) && err.code.startsWith('rate_limit_store_')
                ? err.code
                : LayerCode.RateLimitStoreFailed,
            detail: describeStoreError(err),
          },
        ],
        failure: true,
      };
    }
    if (held === 0) return next();
    try {
      return await next();
    } finally {
      await releaseAll(keys.slots, held, expiresAt);
    }
  }

  async function releaseAll(slots: readonly string[], count: number, expiresAt: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      try {
        await store.release(slots[i] as string, expiresAt);
      } catch {
        // The slot expires by itself at the deadline; a failed release must not change the decision.
      }
    }
  }

  return defineLayer(RATE_LIMIT_LAYER, rateLimitLayer);
}
