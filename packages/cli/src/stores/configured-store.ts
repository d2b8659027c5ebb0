import type { ProxyConfig } from '../config.js';
import type { Logger } from '../runner/log.js';
import { openRedisRateLimitStore, type RedisRateLimitStore, redactUrl } from './redis-rate-limit-store.js';

/**
 * Opens the rate-limit store the configuration names: undefined for `memory` (the layer makes its
 * own), a connected Redis store for `redis`, whose losses and recoveries of the connection are logged
 * (`rate_limit_store_down` at warn, `rate_limit_store_up` at info). Rejects with
 * `rate_limit_store_unavailable` when Redis cannot be reached at start-up.
 */
export async function openConfiguredRateLimitStore(
  config: ProxyConfig['rateLimitStore'],
  log: Logger,
): Promise<RedisRateLimitStore | undefined> {
  if (config.kind === 'memory' || config.url === undefined) return undefined;
  let started = false;
  const store = await openRedisRateLimitStore({
    url: config.url,
    prefix: config.prefix,
    timeoutMs: config.timeoutMs,
    onStateChange: (state, detail) => {
      if (state === 'down') log.warn('rate_limit_store_down', { detail });
      // The first connection is reported once, by the caller's start-up line.
      else if (started) log.info('rate_limit_store_up', { url: detail });
    },
  });
  started = true;
  log.info('rate_limit_store', { kind: 'redis', url: redactUrl(config.url), prefix: config.prefix });
  return store;
}
