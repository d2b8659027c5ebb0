/**
 * One shared timer watches every call in flight, so a call costs a Set insertion rather than a timer
 * of its own. The timer holds the process open only while some call is pending.
 */
interface Watch {
  readonly at: number;
  readonly expire: () => void;
}

const pending = new Set<Watch>();
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  // +1: setTimeout may fire a little early relative to performance.now().
  timer = setTimeout(sweep, Math.max(0, at - performance.now()) + 1);
}

function sweep(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let earliest = Number.POSITIVE_INFINITY;
  for (const w of pending) {
    if (w.at <= now) {
      pending.delete(w);
      w.expire();
    } else if (w.at < earliest) {
      earliest = w.at;
    }
  }
  if (earliest !== Number.POSITIVE_INFINITY) arm(earliest);
}

/** Calls `expire` once `at` (a performance.now() value) has passed, unless cancelled first. */
export function watchDeadline(at: number, expire: () => void): Watch {
  const w: Watch = { at, expire };
  pending.add(w);
  if (at < timerAt) arm(at);
  else if (pending.size === 1) timer?.ref();
  return w;
}

/** Stops watching. Leaves the timer armed (a sweep that finds nothing is cheap) but lets the process exit. */
export function cancelDeadline(w: Watch): void {
  pending.delete(w);
  if (pending.size === 0) timer?.unref();
}
