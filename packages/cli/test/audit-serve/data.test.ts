import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateCheckpointKey,
  makeCheckpoint,
  parseSignerKey,
  parseVerifierKey,
} from '@governed-mcp/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAuditData } from '../../src/audit-serve/data.js';
import {
  computeStats,
  listSessions,
  MAX_PAGE,
  quantile,
  queryRecords,
  sessionDetail,
} from '../../src/audit-serve/queries.js';
import { HOSTILE, writeGateLog } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-serve-data-'));
const path = join(dir, 'audit.jsonl');

beforeAll(async () => {
  await writeGateLog(path);
});

describe('loadAuditData', () => {
  it('reports an intact chain with its head and counts the records by type', async () => {
    const d = await loadAuditData([path]);
    expect(d.files[0]).toMatchObject({
      ok: true,
      records: 13,
      invalidLines: 0,
      types: { decision: 6, outcome: 6, 'chain.start': 1 },
    });
    expect(d.files[0]?.head).toMatch(/^[0-9a-f]{64}$/);
    expect(d.capped).toBe(false);
  });

  it('keeps at most maxRecords records and says it is capped', async () => {
    const d = await loadAuditData([path], { maxRecords: 5 });
    expect(d.records).toHaveLength(5);
    expect(d).toMatchObject({ total: 13, capped: true });
  });

  it('names the first bad record of a tampered copy', async () => {
    const bad = join(dir, 'tampered.jsonl');
    writeFileSync(bad, readFileSync(path, 'utf8').replace('notes/todo.md', 'notes/done.md'));
    const d = await loadAuditData([bad]);
    expect(d.files[0]).toMatchObject({
      ok: false,
      firstBad: { seq: 2, reason: 'hash_mismatch' },
      invalidLines: 1,
    });
  });

  it('checks a checkpoint next to the file: unverified without a key, verified with one', async () => {
    const cpLog = join(dir, 'cp.jsonl');
    writeFileSync(cpLog, readFileSync(path));
    const third = JSON.parse(readFileSync(cpLog, 'utf8').split('\n')[2] ?? '{}') as { hash: string };
    const keys = generateCheckpointKey('gate-1');
    const signer = parseSignerKey(keys.privateKey);
    writeFileSync(
      `${cpLog}.checkpoint`,
      makeCheckpoint({ seq: 3, hash: third.hash }, signer, { origin: 'o' }),
    );
    const plain = await loadAuditData([cpLog]);
    expect(plain.files[0]?.checkpoint).toMatchObject({
      verified: false,
      matches: true,
      size: 3,
      hash: third.hash,
    });
    const checked = await loadAuditData([cpLog], { key: parseVerifierKey(keys.publicKey) });
    expect(checked.files[0]?.checkpoint).toMatchObject({ verified: true, matches: true, size: 3 });
    const other = parseVerifierKey(generateCheckpointKey('gate-1').publicKey);
    const wrong = await loadAuditData([cpLog], { key: other });
    expect(wrong.files[0]?.checkpoint).toMatchObject({ verified: true, matches: false });
  });
});

describe('the queries', () => {
  it('finds one record by text and filters by type and outcome', async () => {
    const d = await loadAuditData([path]);
    expect(queryRecords(d, { q: 'NOTES/TODO' }).items.map((r) => r.seq)).toEqual([2]);
    expect(queryRecords(d, { type: 'decision', outcome: 'deny' }).total).toBe(3);
    expect(queryRecords(d, { type: 'outcome', outcome: 'blocked' }).total).toBe(3);
  });

  it('pages the records and bounds the page size', async () => {
    const d = await loadAuditData([path]);
    const p = queryRecords(d, { offset: 10, limit: 2 });
    expect(p).toMatchObject({ total: 13, offset: 10, limit: 2 });
    expect(p.items.map((r) => r.seq)).toEqual([11, 12]);
    expect(queryRecords(d, { limit: 10_000 }).limit).toBe(MAX_PAGE);
  });

  it('buckets decisions per minute, times each layer and ranks the denied tools and reasons', async () => {
    const d = await loadAuditData([path]);
    const s = computeStats(d);
    const sum = s.timeline.reduce((n, m) => n + Object.values(m.counts).reduce((a, b) => a + b, 0), 0);
    expect(sum).toBe(6);
    expect(s.decisions).toBe(6);
    expect(s.topDeniedTools[0]).toEqual({ name: 'delete_file', count: 2 });
    expect(s.topReasons.length).toBeGreaterThan(0);
    expect(s.latency.map((l) => l.layer)).toContain('policy');
    for (const l of s.latency) expect(l.p95).toBeGreaterThanOrEqual(l.p50);
  });

  it('takes nearest-rank quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([], 0.5)).toBe(0);
  });

  it('groups decisions by session and joins each to its outcome', async () => {
    const d = await loadAuditData([path]);
    expect(
      listSessions(d)
        .map((s) => [s.id, s.steps, s.denies])
        .sort(),
    ).toEqual([
      ['s-alpha', 3, 2],
      ['s-beta', 2, 1],
      ['s-hostile', 1, 0],
    ]);
    const steps = sessionDetail(d, 's-alpha') ?? [];
    expect(steps.map((s) => [s.decision.tool, s.decision.outcome, s.outcome?.outcome])).toEqual([
      ['read_file', 'allow', 'ok'],
      ['delete_file', 'deny', 'blocked'],
      ['run_shell', 'deny', 'blocked'],
    ]);
    expect(sessionDetail(d, 'nope')).toBeUndefined();
    expect(JSON.stringify(sessionDetail(d, 's-hostile'))).toContain(JSON.stringify(HOSTILE).slice(1, -1));
  });
});
