import { ProbeErrorCode, probeError } from './errors.js';

/**
 * A bounded queue in front of the backend: at most `concurrency` tasks run at once, at most
 * `maxWaiting` wait, and more are refused at once (`probe_overloaded`) so that a burst cannot build
 * an unbounded backlog of work whose callers have long given up. A waiting task whose signal aborts
 * leaves the queue (`probe_timeout`).
 */
export class BoundedQueue {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {
    if (!(concurrency >= 1) || !(maxWaiting >= 0)) throw new RangeError('bad queue limits');
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting now. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free. The slot is held until the task settles, even after an abort. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw probeError(ProbeErrorCode.Timeout, 'the probe timed out before it started');
    if (this.active < this.concurrency) {
      this.active++;
    } else {
      if (this.waiting.length >= this.maxWaiting) {
        throw probeError(ProbeErrorCode.Overloaded, `probe queue is full (${this.maxWaiting} waiting)`);
      }
      // A finishing task hands its slot straight to the first waiter (`active` stays counted).
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = this.waiting.indexOf(start);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(probeError(ProbeErrorCode.Timeout, 'the probe timed out while queued'));
        };
        const start = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(start);
      });
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next();
    }
  }
}
