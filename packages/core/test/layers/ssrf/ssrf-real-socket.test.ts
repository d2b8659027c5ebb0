import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipeline,
  createPrefilterLayer,
  createTierLayer,
  defineLayer,
  type GateSettings,
} from '../../../src/index.js';
import { makeCall } from '../call-builder.js';
import { allowanceSettings, fetchTool } from './ssrf-harness.js';

// A loopback-only server and a last layer that really fetches what it is given: a call the gate lets
// through connects, so a spelling the pre-filter misses shows up as a connection.
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('secret'));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function gate(settings: GateSettings) {
  const fetcher = defineLayer('fetcher', async (ctx) => {
    const res = await fetch(String(ctx.call.arguments['url']), { signal: AbortSignal.timeout(2000) });
    await res.text();
    return { outcome: 'allow', reasons: [] } as never;
  });
  return createPipeline([
    createTierLayer(settings),
    createPrefilterLayer(settings, {
      resolver: () => Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' })),
    }),
    fetcher,
  ]);
}

describe('ssrf: a loopback-only server behind the gate', () => {
  const spellings = (p: number): string[] => [
    `http:/127.0.0.1:${p}/`,
    `http:\\\\127.0.0.1:${p}\\`,
    `HTTP:/localhost:${p}/`,
    `http:127.0.0.1:${p}/`,
    `http://127.1:${p}/`,
    `http://0x7f.1:${p}/`,
    `http://2130706433:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`,
    `http://evil.example@127.0.0.1:${p}/`,
    `http://127。0。0。1:${p}/`,
    `http://LOCALHOST.:${p}/`,
  ];

  it('denies every lenient spelling before anything connects, for a trusted principal too', async () => {
    const pipeline = gate(allowanceSettings());
    for (const url of spellings(port)) {
      const call = makeCall({ url }, { tool: fetchTool, principal: { tier: 'trusted' } });
      const d = (await pipeline.evaluate(call)).decision;
      expect({ url, outcome: d.outcome }).toEqual({ url, outcome: 'deny' });
    }
    expect(connections).toBe(0);
  });

  it('lets the same spelling connect when an allowance names the port (so the probe can fail)', async () => {
    const settings = allowanceSettings({
      allow: [{ hosts: ['127.0.0.1'], ports: [port], minTier: 'trusted' }],
    });
    const call = makeCall(
      { url: `http:/127.0.0.1:${port}/` },
      { tool: fetchTool, principal: { tier: 'trusted' } },
    );
    const d = (await gate(settings).evaluate(call)).decision;
    expect(d.outcome).toBe('allow');
    expect(connections).toBe(1);
  });
});
