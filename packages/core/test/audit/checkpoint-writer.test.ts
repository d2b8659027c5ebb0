import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateCheckpointKey,
  openAuditLog,
  startCheckpoints,
  verifyChainAgainstCheckpoint,
} from '../../src/node.js';

const key = generateCheckpointKey('writer');
const fresh = () => mkdtempSync(join(tmpdir(), 'gmcp-cp-writer-'));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startCheckpoints', () => {
  it('signs after everyMs once the log grew, not before it grew, and once more on stop', async () => {
    const dir = fresh();
    const log = await openAuditLog(join(dir, 'a.jsonl'), { durability: 'write' });
    const out = join(dir, 'a.checkpoint');
    const sizes: number[] = [];
    const writer = startCheckpoints(log, {
      key: key.privateKey,
      everyRecords: 1000,
      everyMs: 50,
      out,
      onCheckpoint: (c) => sizes.push(c.size),
    });
    await until(() => sizes.length === 1);
    expect(sizes).toEqual([1]);
    await new Promise((r) => setTimeout(r, 150));
    expect(sizes).toEqual([1]); // nothing new, nothing signed
    await log.append('decision', { n: 1 });
    await until(() => sizes.length === 2);
    await log.append('decision', { n: 2 });
    await writer.stop();
    await log.close();
    expect(sizes).toEqual([1, 2, 3]);
    const r = await verifyChainAgainstCheckpoint(log.path, readFileSync(out, 'utf8'), key.publicKey);
    expect(r).toMatchObject({ ok: true, checkpoint: { size: 3 } });
    expect(readFileSync(`${out}.history`, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('POSTs each checkpoint to an HTTP witness', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.headers['content-type']}\n${body}`);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`;
    const dir = fresh();
    const log = await openAuditLog(join(dir, 'a.jsonl'), { durability: 'write' });
    const writer = startCheckpoints(log, { key: key.privateKey, out: join(dir, 'cp'), witness: { url } });
    await writer.stop();
    await log.close();
    server.close();
    expect(received).toEqual([`POST text/plain; charset=utf-8\n${readFileSync(join(dir, 'cp'), 'utf8')}`]);
  });

  it('reports a witness that fails and goes on writing checkpoints and records', async () => {
    const dir = fresh();
    const log = await openAuditLog(join(dir, 'a.jsonl'), { durability: 'write' });
    const errors: string[] = [];
    const writer = startCheckpoints(log, {
      key: key.privateKey,
      everyRecords: 2,
      out: join(dir, 'cp'),
      // Port 9 on loopback: nothing listens, the POST is refused at once.
      witness: { url: 'http://127.0.0.1:9/', timeoutMs: 500 },
      onError: (where) => errors.push(where),
    });
    for (let i = 0; i < 3; i++) await log.append('decision', { i });
    await until(() => errors.length >= 1);
    await log.append('decision', { after: true });
    await writer.stop();
    await log.close();
    expect(errors[0]).toBe('witness');
    expect(existsSync(join(dir, 'cp'))).toBe(true);
    const r = await verifyChainAgainstCheckpoint(
      log.path,
      readFileSync(join(dir, 'cp'), 'utf8'),
      key.publicKey,
    );
    expect(r).toMatchObject({ ok: true, checkpoint: { size: 5 } });
  });
});
