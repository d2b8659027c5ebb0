import { isGovernedError } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../src/config.js';
import { createLogger } from '../../src/runner/log.js';
import { openConfiguredRateLimitStore } from '../../src/stores/configured-store.js';
import { redactUrl } from '../../src/stores/redis-rate-limit-store.js';

function configError(input: unknown): string {
  try {
    parseProxyConfig(input);
    return 'accepted';
  } catch (err) {
    return isGovernedError(err) ? `${err.code}: ${err.message}` : String(err);
  }
}

describe('the rateLimitStore configuration', () => {
  it('defaults to the in-memory store, for which no shared store is opened', async () => {
    const config = parseProxyConfig({});
    expect(config.rateLimitStore).toEqual({ kind: 'memory', prefix: 'governed-mcp:rl:', timeoutMs: 50 });
    const lines: string[] = [];
    expect(
      await openConfiguredRateLimitStore(
        config.rateLimitStore,
        createLogger('debug', (l) => lines.push(l)),
      ),
    ).toBe(undefined);
    expect(lines).toEqual([]);
  });

  it('takes a Redis URL with its prefix and timeout', () => {
    const config = parseProxyConfig({
      rateLimitStore: { kind: 'redis', url: 'redis://cache:6379/2', prefix: 'team-a:', timeoutMs: 20 },
    });
    expect(config.rateLimitStore).toEqual({
      kind: 'redis',
      url: 'redis://cache:6379/2',
      prefix: 'team-a:',
      timeoutMs: 20,
    });
  });

  it('refuses kind redis without a URL, a URL without kind redis, and a URL that is not redis://', () => {
    expect(configError({ rateLimitStore: { kind: 'redis' } })).toMatch(
      /^invalid_config: .*rateLimitStore.url: required with kind redis/s,
    );
    expect(configError({ rateLimitStore: { url: 'redis://cache:6379' } })).toMatch(
      /^invalid_config: .*rateLimitStore.url: required with kind redis/s,
    );
    expect(configError({ rateLimitStore: { kind: 'redis', url: 'http://cache:6379' } })).toMatch(
      /^invalid_config: .*redis:\/\//s,
    );
    expect(configError({ rateLimitStore: { kind: 'redis', url: 'redis://c', timeoutMs: 0 } })).toMatch(
      /^invalid_config: .*timeoutMs/s,
    );
    expect(configError({ rateLimitStore: { kind: 'memcached' } })).toMatch(/^invalid_config: .*kind/s);
  });

  it('hides the password of a Redis URL in messages', () => {
    expect(redactUrl('redis://user:s3cret@cache:6379/0')).toBe('redis://user:***@cache:6379/0');
    expect(redactUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });
});
