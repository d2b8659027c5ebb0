import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { guarded, settle } from '../../../../test/helpers/events.js';
import { type Runner, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, memoryLogger, recordingMediator } from './harness.js';

let runner: Runner | undefined;
afterAll(async () => {
  await runner?.close('test_end');
});

describe('a slow stdio client', () => {
  it('makes the runner stop reading its requests instead of queueing answers without bound', async () => {
    const stdin = new PassThrough();
    // Nobody reads stdout until the end of the test: writes back up after a few KB.
    const stdout = new PassThrough({ highWaterMark: 1024 });
    const upstream = fixtureUpstream();
    const { log, lines, until } = memoryLogger();
    runner = await startRunner({
      listen: { kind: 'stdio' },
      upstream: upstream.spec,
      mediator: recordingMediator(),
      principal: { id: 'slow', tier: 'standard' },
      tokens: [],
      limits: {
        maxFrameBytes: 1 << 20,
        upstreamTimeoutMs: 20_000,
        maxSessions: 1,
        maxPending: 1024,
        maxQueuedBytes: 64 * 1024,
      },
      log,
      stdin,
      stdout,
    });
    const send = (m: unknown): boolean => stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'slow', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const total = 60;
    const big = (i: number) => ({
      jsonrpc: '2.0',
      id: i,
      method: 'tools/call',
      params: { name: 'big', arguments: { bytes: 20_000 } },
    });
    // Each answer is ~20 KB and the client reads nothing: ten answers fill the 64 KB allowance.
    for (let i = 1; i <= 10; i++) send(big(i));
    const calls = (): number => upstream.received().filter((r) => r.method === 'tools/call').length;
    await until('client_backpressure');
    // Requests sent now stay in the client's pipe: the runner is not reading.
    for (let i = 11; i <= total; i++) send(big(i));
    await settle('requests reaching the upstream while reading is paused', 500);
    expect(calls()).toBe(10);

    // The client starts reading: everything is answered, in full.
    const answered = new Set<unknown>();
    let allAnswered!: () => void;
    const done = new Promise<void>((resolve) => {
      allAnswered = resolve;
    });
    let buf = '';
    stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const m = JSON.parse(buf.slice(0, nl)) as { id?: unknown; result?: { content?: { text: string }[] } };
        if (typeof m.id === 'number' && m.id > 0 && m.result?.content?.[0]?.text.length === 20_000)
          answered.add(m.id);
        if (answered.size === total) allAnswered();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
    });
    await guarded(done, `all ${total} answers`);
    expect(answered.size).toBe(total);
    expect(calls()).toBe(total);
    expect(lines.some((l) => l.event === 'client_backpressure_released')).toBe(true);
  });
});
