/** Resolves a name to its addresses (`dns.promises.lookup(host, { all: true })` by default). */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

/** The outcome of resolving one name: its addresses, a name that does not exist, or a failure. */
export type Resolution =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly code: 'nxdomain' | 'timeout' | 'error'; readonly detail: string };

/** Bounds of a `createResolution`. */
export interface ResolutionOptions {
  readonly timeoutMs: number;
  /** How long answers (and NXDOMAIN) are kept. Default 30 s. */
  readonly ttlMs?: number;
  /** Names kept in the cache. Default 1024. */
  readonly maxEntries?: number;
  /** Lookups in flight at once, across calls (getaddrinfo runs on a small thread pool). Default 8. */
  readonly maxConcurrent?: number;
}

// "Name does not exist" from getaddrinfo and from resolvers: a definite answer, not a failure.
const NXDOMAIN = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'NXDOMAIN']);

/** The system resolver, loaded on first use so that the root entry imports no Node-only module. */
export const systemResolver: HostResolver = async (hostname) => {
  const { lookup } = await import('node:dns/promises');
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

/**
 * Wraps a resolver with a timeout per name (which includes waiting for a slot), a small TTL cache
 * and bounded concurrency. Never rejects: every failure is a `Resolution` with `ok: false`.
 * @example
 * const resolve = createResolution(systemResolver, { timeoutMs: 2000 });
 * await resolve('example.com'); // { ok: true, addresses: ['93.184.216.34'] }
 */
export function createResolution(
  resolver: HostResolver,
  options: ResolutionOptions,
): (hostname: string) => Promise<Resolution> {
  const ttl = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1024;
  const maxConcurrent = options.maxConcurrent ?? 8;
  const cache = new Map<string, { expires: number; value: Promise<Resolution> }>();
  const waiting: (() => void)[] = [];
  let active = 0;

  const slot = (): Promise<void> => {
    if (active < maxConcurrent) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const nextInLine = waiting.shift();
    if (nextInLine === undefined) active--;
    else nextInLine();
  };

  // The deadline covers the wait for a slot and the lookup; a resolver that hangs gives its slot back
  // at the deadline, so hung lookups cannot starve later calls.
  const withTimeout = (hostname: string): Promise<Resolution> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Resolution>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, code: 'timeout', detail: `no answer within ${options.timeoutMs} ms` }),
        options.timeoutMs,
      );
    });
    const lookup = async (): Promise<Resolution> => {
      await slot();
      let released = false;
      const giveBack = (): void => {
        if (!released) {
          released = true;
          release();
        }
      };
      void timeout.then(giveBack);
      try {
        const addresses = await Promise.race([resolver(hostname), timeout.then(() => [] as string[])]);
        if (!Array.isArray(addresses) || addresses.length === 0) {
          return { ok: false, code: 'error', detail: 'the resolver returned no addresses' };
        }
        return { ok: true, addresses };
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        const detail = err instanceof Error ? err.message : String(err);
        return {
          ok: false,
          code: typeof code === 'string' && NXDOMAIN.has(code) ? 'nxdomain' : 'error',
          detail,
        };
      } finally {
        giveBack();
      }
    };
    return Promise.race([timeout, lookup()]).finally(() => clearTimeout(timer));
  };

  return (hostname) => {
    const now = Date.now();
    const hit = cache.get(hostname);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const value = withTimeout(hostname);
    cache.delete(hostname);
    cache.set(hostname, { expires: now + ttl, value });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    // Failures are not kept: the next call asks again.
    void value.then((r) => {
      if (!r.ok && r.code !== 'nxdomain' && cache.get(hostname)?.value === value) cache.delete(hostname);
    });
    return value;
  };
}
