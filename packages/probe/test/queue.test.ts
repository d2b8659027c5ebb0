import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../src/queue.js';
import { delay } from './fixtures/fake-backend.js';

describe('the bounded queue', () => {
  it('never runs more than its concurrency at once, even as slots pass between tasks', async () => {
    const q = new BoundedQueue(2, 100);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await delay(5);
      running--;
    };
    const signal = new AbortController().signal;
    const all = Array.from({ length: 20 }, () => q.run(task, signal));
    // New arrivals while slots are being handed over must not sneak past the limit.
    await delay(6);
    all.push(...Array.from({ length: 5 }, () => q.run(task, signal)));
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(q.running).toBe(0);
  });

  it('refuses with probe_overloaded when the waiting line is full', async () => {
    const q = new BoundedQueue(1, 1);
    const signal = new AbortController().signal;
    const first = q.run(() => delay(20), signal);
    const second = q.run(() => delay(1), signal);
    await expect(q.run(() => delay(1), signal)).rejects.toMatchObject({ code: 'probe_overloaded' });
    await Promise.all([first, second]);
  });

  it('drops a waiting task whose signal aborts, with probe_timeout, and keeps the line moving', async () => {
    const q = new BoundedQueue(1, 5);
    const never = new AbortController().signal;
    const ac = new AbortController();
    const first = q.run(() => delay(20), never);
    let ran = false;
    const dropped = q.run(async () => {
      ran = true;
    }, ac.signal);
    const third = q.run(async () => 'third', never);
    ac.abort();
    await expect(dropped).rejects.toMatchObject({ code: 'probe_timeout' });
    await first;
    expect(await third).toBe('third');
    expect(ran).toBe(false);
    expect(q.pending).toBe(0);
  });
});
