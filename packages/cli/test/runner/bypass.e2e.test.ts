import { createGate, createPipeline, defineLayer, deny } from '@governed-mcp/core';
import { createMediator } from '@governed-mcp/middleware-mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../../../../test/helpers/events.js';
import { type Runner, startRunner } from '../../src/runner/runner.js';
import { fixtureUpstream, handshake, lineClient, memoryLogger } from './harness.js';

/**
 * Bypass attempts at the message layer, through the real runner and mediator over the wire. The gate
 * denies any echo of the word "forbidden"; every attempt below tries to get such a call (or any
 * unvetted call) to the server some other way. The fixture server logs every message it receives, so
 * the final check proves none got through.
 */
const noForbidden = defineLayer('policy', async (ctx, next) =>
  JSON.stringify(ctx.call.arguments).includes('forbidden') ? deny('policy', 'forbidden_word') : next(),
);

const upstream = fixtureUpstream();
const client = lineClient();
let runner: Runner;
let nextId = 100;

beforeAll(async () => {
  const { log } = memoryLogger();
  const mediator = createMediator({ gate: createGate({ pipeline: createPipeline([noForbidden]) }) });
  runner = await startRunner({
    listen: { kind: 'stdio' },
    upstream: upstream.spec,
    mediator,
    principal: { id: 'mallory', tier: 'standard' },
    tokens: [],
    limits: {
      maxFrameBytes: 256 * 1024,
      upstreamTimeoutMs: 5000,
      maxSessions: 1,
      maxPending: 16,
      maxQueuedBytes: 1 << 20,
    },
    log,
    stdin: client.stdin,
    stdout: client.stdout,
  });
  await handshake(client);
  // Let the mediator learn the tool list, so refusals are about the attempt and not an unknown tool.
  const ok = await client.request(nextId++, 'tools/call', { name: 'echo', arguments: { text: 'warm-up' } });
  expect(ok).toMatchObject({ result: { content: [{ text: 'warm-up' }] } });
});

afterAll(async () => {
  await runner.close('test_end');
});

const forbidden = { name: 'echo', arguments: { text: 'forbidden' } };
const refused = (m: Record<string, unknown>): boolean =>
  m.error !== undefined || (m.result as { isError?: boolean } | undefined)?.isError === true;

/** Sends a raw line and waits for its answer: to `id`, or to null when the frame's id is unusable. */
async function attempt(line: string, id: unknown): Promise<Record<string, unknown>> {
  client.sendRaw(`${line}\n`);
  return client.next((m) => m.id === id || m.id === null);
}

describe('message-layer bypass attempts through the runner', () => {
  it('a plain denied call is answered with a tool error naming the layer', async () => {
    const id = nextId++;
    const res = await client.request(id, 'tools/call', forbidden);
    expect(res).toMatchObject({
      result: { isError: true, structuredContent: { governedMcp: { layer: 'policy' } } },
    });
  });

  it('a batch carrying the call is refused', async () => {
    const id = nextId++;
    const res = await attempt(
      JSON.stringify([{ jsonrpc: '2.0', id, method: 'tools/call', params: forbidden }]),
      null,
    );
    expect(refused(res)).toBe(true);
  });

  it('a notification carrying a request method is not forwarded', async () => {
    client.send({ jsonrpc: '2.0', method: 'tools/call', params: forbidden });
    // Checked with every other call at the end (nothing forbidden reached the upstream).
    await settle('the notification reaching the upstream');
  });

  it.each([
    'tools/call ',
    'Tools/call',
    'tools/call\u0000',
    'tools\u2215call',
    '/tools/call',
    'tools/call/',
    '__proto__',
    'constructor',
  ])('a method-name trick (%j) is refused', async (method) => {
    const id = nextId++;
    const res = await client.request(id, method, forbidden);
    expect(refused(res)).toBe(true);
  });

  it('a reused id of a call in flight is refused', async () => {
    const id = nextId++;
    client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hang', arguments: {} } });
    await upstream.untilReceived((all) => all.some((r) => r.id === id));
    client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: forbidden });
    const first = await client.next((m) => m.id === id);
    expect(refused(first)).toBe(true);
  });

  it('ambiguous, mistyped and oversized frames are refused', async () => {
    const id = (): number => nextId++;
    const frames: [string, number][] = [];
    const add = (make: (n: number) => string): void => {
      const n = id();
      frames.push([make(n), n]);
    };
    add((n) =>
      JSON.stringify({ jsonrpc: '2.0', id: n, method: 'tools/call', params: forbidden, result: {} }),
    );
    add((n) => JSON.stringify({ jsonrpc: '1.0', id: n, method: 'tools/call', params: forbidden }));
    add(() => JSON.stringify({ jsonrpc: '2.0', id: { x: 1 }, method: 'tools/call', params: forbidden }));
    add(() => JSON.stringify({ jsonrpc: '2.0', id: 1.5, method: 'tools/call', params: forbidden }));
    add(
      (n) =>
        `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":${'['.repeat(500)}${']'.repeat(500)}}`,
    );
    add((n) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: n,
        method: 'tools/call',
        params: { ...forbidden, pad: 'x'.repeat(300_000) },
      }),
    );
    for (const [line, id] of frames) {
      const res = await attempt(line, id).catch((e: Error) => {
        throw new Error(`${line.slice(0, 120)}: ${e.message}`);
      });
      expect(refused(res), line.slice(0, 80)).toBe(true);
    }
  });

  it('a __proto__ key in the arguments does not hide the forbidden value from the gate', async () => {
    const id = nextId++;
    const line = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"__proto__":{"x":1},"text":"forbidden"}}}`;
    expect(refused(await attempt(line, id))).toBe(true);
  });

  it('a lookalike tool name is refused rather than passed to the server', async () => {
    const id = nextId++;
    const res = await client.request(id, 'tools/call', {
      name: '\u0435cho',
      arguments: { text: 'forbidden' },
    });
    expect(refused(res)).toBe(true);
  });

  describe('what the upstream receives is what was decided', () => {
    const smuggled: [string, Record<string, unknown>][] = [
      ['_meta.arguments.command', { _meta: { arguments: { command: 'forbidden' } } }],
      ['_meta.anything', { _meta: { anything: 'forbidden', progressToken: 'p1' } }],
      ['an extra top-level params key', { command: 'forbidden' }],
      ['a second arguments key in another case', { Arguments: { text: 'forbidden' } }],
    ];
    for (const [label, extra] of smuggled) {
      it(`${label} never reaches the upstream`, async () => {
        const id = nextId++;
        const res = await client.request(id, 'tools/call', {
          name: 'echo',
          arguments: { text: 'ok' },
          ...extra,
        });
        expect(res).toMatchObject({ result: { content: [{ text: 'ok' }] } });
        const got = upstream.received().find((r) => r.id === id);
        expect(got?.params?.arguments).toEqual({ text: 'ok' });
        expect(JSON.stringify(got?.params)).not.toContain('forbidden');
      });
    }

    it('a __proto__ key in params never reaches the upstream', async () => {
      const id = nextId++;
      const line = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"ok"},"__proto__":{"command":"forbidden"}}}`;
      expect(refused(await attempt(line, id))).toBe(false);
      expect(JSON.stringify(upstream.received().find((r) => r.id === id)?.params)).not.toContain('forbidden');
    });
  });

  describe('an oversized request frame is answered with its own id', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const lines: [string, (id: number) => string][] = [
      ['id first', (id) => `{"id":${id},"jsonrpc":"2.0","method":"tools/call","params":{"pad":"${huge}"}}`],
      ['id last', (id) => `{"jsonrpc":"2.0","method":"tools/call","params":{"pad":"${huge}"},"id":${id}}`],
      [
        'id after huge params with decoy ids',
        (id) =>
          `{"jsonrpc":"2.0","params":{"id":1,"pad":["\\"id\\":2","${huge}"]},"method":"tools/call","id":${id}}`,
      ],
    ];
    for (const [label, make] of lines) {
      it(`${label}: a 5 MiB line gets an error carrying its id`, async () => {
        const id = nextId++;
        client.sendRaw(`${make(id)}\n`);
        const res = await client.next((m) => m.id === id);
        expect(res).toMatchObject({ error: { data: { governedMcp: { code: 'frame_too_large' } } } });
      });
    }
  });

  it('after all of that the runner still serves, and the server never saw a forbidden call', async () => {
    const ok = await client.request(nextId++, 'tools/call', {
      name: 'echo',
      arguments: { text: 'still fine' },
    });
    expect(ok).toMatchObject({ result: { content: [{ text: 'still fine' }] } });
    const calls = upstream.received().filter((r) => r.method === 'tools/call');
    // warm-up, hang, the five trimmed calls above and the final call: nothing else reached the server.
    expect(calls).toHaveLength(8);
    expect(JSON.stringify(calls)).not.toContain('forbidden');
    const methods = new Set(upstream.received().map((r) => r.method));
    expect([...methods].sort()).toEqual([
      'initialize',
      'notifications/initialized',
      'tools/call',
      'tools/list',
    ]);
  });
});
