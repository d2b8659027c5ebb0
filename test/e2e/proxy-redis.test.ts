import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { childTransport } from '../helpers/child-transport.js';
import { CLI, freePort, killAll, REPO, type Watched, watch } from '../helpers/processes.js';
import { createRedisServer, REDIS_MISSING, type RedisServer } from '../helpers/redis.js';

const FIXTURE = join(REPO, 'packages/cli/test/runner/fixtures/upstream-server.mjs');

afterAll(() => killAll());

/** A proxy configuration: `echo` gets 10 calls per principal and (practically) no refill. */
function writeConfig(dir: string, name: string, url: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      principal: { id: 'agent-1', tier: 'trusted' },
      settings: {
        tools: [{ match: 'echo', rateLimit: { perPrincipalTool: { capacity: 10, refillPerSec: 0.001 } } }],
      },
      rateLimitStore: { kind: 'redis', url, timeoutMs: 1_000 },
    }),
  );
  return file;
}

interface Replica {
  readonly proxy: Watched;
  readonly client: Client;
  /** Calls `echo`: 'allow', or the deny's text (which names its reason code). */
  echo(): Promise<string>;
}

async function startReplica(config: string): Promise<Replica> {
  const proxy = watch(process.execPath, [
    ...CLI,
    'proxy',
    '--config',
    config,
    '--',
    process.execPath,
    FIXTURE,
  ]);
  const client = new Client({ name: 'e2e-redis', version: '1.0.0' });
  await client.connect(childTransport(proxy.child) as Transport);
  return {
    proxy,
    client,
    async echo() {
      try {
        const r = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
        return r.isError === true ? JSON.stringify(r.content) : 'allow';
      } catch (err) {
        return `error: ${(err as Error).message} ${JSON.stringify((err as { data?: unknown }).data)}`;
      }
    },
  };
}

function tally(answers: readonly string[]): { allowed: number; rateLimited: number; other: string[] } {
  return {
    allowed: answers.filter((a) => a === 'allow').length,
    rateLimited: answers.filter((a) => a !== 'allow' && a.includes('rate_limited')).length,
    other: answers.filter((a) => a !== 'allow' && !a.includes('rate_limited')),
  };
}

describe.skipIf(REDIS_MISSING !== undefined)(
  `governed-mcp proxy replicas sharing Redis ${REDIS_MISSING ?? ''}`,
  () => {
    it('allow and deny exactly as one replica would, deny while Redis is down, and recover when it is back', async () => {
      const redis: RedisServer = await createRedisServer();
      await redis.start();
      const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-redis-'));
      const replicas = [
        await startReplica(writeConfig(dir, 'a.json', redis.url)),
        await startReplica(writeConfig(dir, 'b.json', redis.url)),
      ];
      try {
        // 30 calls, alternating replicas, 2 at a time: one budget of 10 for the principal and tool.
        const answers: string[] = [];
        for (let i = 0; i < 30; i += 2) {
          answers.push(...(await Promise.all([replicas[0]!.echo(), replicas[1]!.echo()])));
        }
        expect(tally(answers)).toEqual({ allowed: 10, rateLimited: 20, other: [] });

        await redis.kill();
        const down = await Promise.all(replicas.map((r) => r.echo()));
        for (const answer of down) {
          // Denied under the outage's own code, not the generic store failure.
          expect(answer).toContain("code 'rate_limit_store_unavailable'");
          expect(answer).not.toContain('rate_limit_store_failed');
        }
        for (const r of replicas) await r.proxy.waitFor((l) => l.includes('"event":"rate_limit_store_down"'));

        // A fresh Redis (no persistence) on the same port: the budget starts again, without a restart.
        await redis.start();
        for (const r of replicas) await r.proxy.waitFor((l) => l.includes('"event":"rate_limit_store_up"'));
        const back = await Promise.all(replicas.map((r) => r.echo()));
        expect(back).toEqual(['allow', 'allow']);
      } finally {
        for (const r of replicas) await r.client.close();
        const codes = await Promise.all(replicas.map((r) => r.proxy.exited));
        await redis.dispose();
        expect(codes).toEqual([0, 0]);
      }
    }, 90_000);
  },
);

it('governed-mcp proxy refuses to start (exit 3) when the configured Redis cannot be reached', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-redis-'));
  const config = writeConfig(dir, 'dead.json', `redis://127.0.0.1:${await freePort()}`);
  const proxy = watch(process.execPath, [
    ...CLI,
    'proxy',
    '--config',
    config,
    '--',
    process.execPath,
    FIXTURE,
  ]);
  expect(await proxy.exited).toBe(3);
  expect(proxy.lines.join('\n')).toContain('rate_limit_store_unavailable');
}, 60_000);
