import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditChain, type RecordSink } from '../../src/index.js';
import { openAuditLog, verifyAuditFile } from '../../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-audit-'));
let n = 0;
const fresh = () => join(dir, `audit-${++n}.jsonl`);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close().catch(() => undefined)));
});

async function writeChain(records: number): Promise<{ path: string; lines: string[]; head: string }> {
  const path = fresh();
  const log = await openAuditLog(path, { durability: 'write' });
  for (let i = 0; i < records - 1; i++) {
    await log.append('decision', {
      call: { tool: 'read_file', i },
      decision: { outcome: i % 3 ? 'allow' : 'deny' },
    });
  }
  await log.close();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { path, lines, head: log.head.hash };
}

const rewrite = (path: string, lines: string[], tail = '\n') => writeFileSync(path, lines.join('\n') + tail);

describe('audit log on disk', () => {
  it('starts a new file with a chain.start record and verifies intact', async () => {
    const { path, lines, head } = await writeChain(10);
    expect(lines).toHaveLength(10);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, type: 'chain.start' });
    const report = await verifyAuditFile(path);
    expect(report).toMatchObject({ ok: true, records: 10, head });
    expect(report.firstTs).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it.each([
    [
      'a modified record',
      (l: string[]) => {
        l[4] = l[4]!.replace('read_file', 'rm_rf_all');
      },
      5,
      'hash_mismatch',
    ],
    [
      'a modified hash',
      (l: string[]) => {
        l[4] = l[4]!.replace(/"hash":"(.)/, (_m, c: string) => `"hash":"${c === 'f' ? 'e' : 'f'}`);
      },
      5,
      'hash_mismatch',
    ],
    [
      'a deleted record',
      (l: string[]) => {
        l.splice(4, 1);
      },
      6,
      'seq_gap',
    ],
    [
      'a duplicated record',
      (l: string[]) => {
        l.splice(5, 0, l[4]!);
      },
      5,
      'seq_repeat',
    ],
    [
      'two records swapped',
      (l: string[]) => {
        [l[4], l[5]] = [l[5]!, l[4]!];
      },
      6,
      'seq_gap',
    ],
    [
      'a record moved back',
      (l: string[]) => {
        l.push(l[2]!);
      },
      3,
      'seq_repeat',
    ],
    [
      'a record from another chain',
      async (l: string[]) => {
        l[4] = (await writeChain(6)).lines[4]!;
      },
      5,
      'prev_mismatch',
    ],
    [
      'a blank line',
      (l: string[]) => {
        l.splice(3, 0, '');
      },
      4,
      'malformed',
    ],
    [
      'garbage',
      (l: string[]) => {
        l[2] = '{"not":"a record"';
      },
      3,
      'malformed',
    ],
  ])('names the first bad record for %s', async (_what, tamper, seq, reason) => {
    const { path, lines } = await writeChain(10);
    await tamper(lines);
    rewrite(path, lines);
    const report = await verifyAuditFile(path);
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ seq, reason });
  });

  it('catches a cut tail only against an expected head, and accepts growth after it', async () => {
    const { path, lines, head } = await writeChain(10);
    rewrite(path, lines.slice(0, 7));
    expect((await verifyAuditFile(path)).ok).toBe(true);
    const cut = await verifyAuditFile(path, { expectHead: head });
    expect(cut).toMatchObject({ ok: false, firstBad: { reason: 'head_missing' } });
    const middle = JSON.parse(lines[4]!).hash as string;
    expect(await verifyAuditFile(path, { expectHead: middle })).toMatchObject({
      ok: true,
      expectedHead: { seq: 5 },
    });
  });

  it('reports a torn final line as a crash artefact, not tampering, and resumes after it', async () => {
    const { path, lines } = await writeChain(5);
    appendFileSync(path, lines[2]!.slice(0, 40));
    const report = await verifyAuditFile(path);
    expect(report).toMatchObject({ ok: true, records: 5, tornTail: { line: 6, bytes: 40 } });

    const log = await openAuditLog(path, { durability: 'fsync' });
    open.push(log);
    expect(log.resumed).toEqual({ afterSeq: 5, tornBytes: 40 });
    await log.append('decision', { after: 'restart' });
    await log.close();
    const after = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(after[5]).toMatchObject({ seq: 6, type: 'chain.resumed', data: { afterSeq: 5, tornBytes: 40 } });
    expect(after[5].data.tornDigest).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 7 });
  });

  it('refuses to continue a file whose last record was tampered with', async () => {
    const { path, lines } = await writeChain(5);
    lines[4] = lines[4]!.replace('read_file', 'other');
    rewrite(path, lines);
    await expect(openAuditLog(path)).rejects.toMatchObject({ code: 'audit_corrupt' });
  });

  it('refuses a second writer on the same file', async () => {
    const path = fresh();
    const first = await openAuditLog(path);
    open.push(first);
    await expect(openAuditLog(path)).rejects.toThrow(/in use by process/);
  });

  it('keeps one chain under many concurrent appends in every durability mode', async () => {
    for (const durability of ['fsync', 'group', 'write', 'none'] as const) {
      const path = fresh();
      const log = await openAuditLog(path, { durability, groupWindowMs: 1 });
      const seqs = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append('decision', { i })));
      await log.close();
      expect(new Set(seqs.map((p) => p.seq)).size).toBe(500);
      expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: 501 });
    }
  });

  it('fails every later append once a write fails, instead of leaving a gap', async () => {
    let fail = false;
    const sink: RecordSink = {
      write: async () => {
        if (fail) throw new Error('disk full');
      },
      close: async () => {},
    };
    const chain = new AuditChain(sink, { durability: 'write' });
    await chain.append('decision', {});
    fail = true;
    await expect(chain.append('decision', {})).rejects.toMatchObject({ code: 'audit_failed' });
    fail = false;
    await expect(chain.append('decision', {})).rejects.toMatchObject({ code: 'audit_failed' });
  });

  it('loses no acknowledged record when the writer is killed with SIGKILL mid-stream', async () => {
    for (const durability of ['fsync', 'none'] as const) {
      const path = fresh();
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          new URL('../fixtures/crash-writer.ts', import.meta.url).pathname,
          path,
          durability,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let acked = 0;
      let buffered = '';
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const parts = buffered.split('\n');
          buffered = parts.pop()!;
          for (const p of parts) if (p !== 'ready') acked = Math.max(acked, Number(p));
          if (acked >= 400 && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((r) => child.on('close', r));
      const report = await verifyAuditFile(path);
      expect(report.ok).toBe(true);
      // In fsync mode an acknowledged record is on disk; in none mode only the chain's integrity is promised.
      if (durability === 'fsync') expect(report.records).toBeGreaterThanOrEqual(acked);
      const resumed = await openAuditLog(path);
      await resumed.close();
      expect(await verifyAuditFile(path)).toMatchObject({ ok: true, records: report.records + 1 });
    }
  }, 60_000);

  // Worker threads run compiled code, so this uses the build that `pnpm install` makes (prepare).
  const dist = new URL('../../dist/src/node.js', import.meta.url);
  it.skipIf(!existsSync(dist))(
    'verifies a large file in worker threads with the same verdicts as inline',
    async () => {
      const built = (await import(dist.href)) as typeof import('../../src/node.js');
      const path = fresh();
      const log = await built.openAuditLog(path, { durability: 'none' });
      for (let i = 1; i < 12_000; i++) void log.append('decision', { i, pad: 'p'.repeat(500) });
      await log.close();
      const intact = await built.verifyAuditFile(path, { workers: 2 });
      expect(intact).toEqual(await built.verifyAuditFile(path, { workers: 0 }));
      expect(intact).toMatchObject({ ok: true, records: 12_000 });
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      lines[9_000] = lines[9_000]!.replace('"i":', '"j":');
      lines.splice(10_500, 1);
      rewrite(path, lines);
      const broken = await built.verifyAuditFile(path, { workers: 2 });
      expect(broken).toEqual(await built.verifyAuditFile(path, { workers: 0 }));
      expect(broken.firstBad).toMatchObject({ seq: 9_001, reason: 'hash_mismatch' });
    },
    60_000,
  );
});
