/**
 * Keeps one direction of a session in order while mediation runs concurrently. Every frame is mediated
 * at once; delivery waits so that nothing overtakes a notification or a server request that arrived
 * before it, and those wait for everything before them. Answers and (client) requests are "independent":
 * they wait only for earlier ordered frames, so one slow decision or audit write does not hold up the
 * others. That keeps `notifications/initialized` after `initialize`, `notifications/cancelled` after its
 * request, and progress notifications before the result that ends their stream.
 */
export function createOrderedDelivery(
  independent: (frame: unknown) => boolean,
): <T>(frame: unknown, ready: Promise<T>, deliver: (value: T) => Promise<void>) => Promise<void> {
  /** Settles when every ordered frame so far has been delivered. */
  let ordered: Promise<unknown> = Promise.resolve();
  /** Settles when every frame so far has been delivered. */
  let all: Promise<unknown> = Promise.resolve();
  return function sequence(frame, ready, deliver) {
    if (independent(frame)) {
      const done = Promise.all([ordered, ready]).then(([, value]) => deliver(value));
      const settled = done.catch(() => undefined);
      all = Promise.all([all, settled]);
      return done;
    }
    const done = Promise.all([all, ready]).then(([, value]) => deliver(value));
    const settled = done.catch(() => undefined);
    ordered = settled;
    all = settled;
    return done;
  };
}

/** From the client: requests and answers are independent; notifications and anything odd are ordered. */
export function clientIndependent(frame: unknown): boolean {
  const f = frame as { id?: unknown } | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    !Array.isArray(f) &&
    (typeof f.id === 'string' || typeof f.id === 'number')
  );
}

/** From the server: only answers are independent; notifications and server requests are ordered. */
export function serverIndependent(frame: unknown): boolean {
  const f = frame as { id?: unknown; method?: unknown } | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    !Array.isArray(f) &&
    f.method === undefined &&
    (typeof f.id === 'string' || typeof f.id === 'number')
  );
}
