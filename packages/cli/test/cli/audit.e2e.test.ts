import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSampleLog } from './audit-fixture.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-cli-audit-'));
const path = join(dir, 'audit.jsonl');
let head = '';

beforeAll(async () => {
  head = await writeSampleLog(path);
});

describe('governed-mcp audit verify', () => {
  it('exits 0 with a summary for an intact chain', async () => {
    const r = await runCli(['audit', 'verify', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`intact: 21 records, head ${head}`);
  });

  it('prints the contract JSON and checks an expected head', async () => {
    const r = await runCli(['audit', 'verify', path, '--json', '--expect-head', head]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      records: 21,
      head,
      expectedHead: { hash: head, seq: 21 },
    });
  });

  it('exits 1 naming the first bad record of a tampered copy', async () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[7] = lines[7]!.replace('"i":6', '"i":60');
    const bad = join(dir, 'tampered.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const r = await runCli(['audit', 'verify', bad, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      records: 7,
      firstBad: { seq: 8, line: 8, reason: 'hash_mismatch' },
    });
    const human = await runCli(['audit', 'verify', bad]);
    expect(human.stdout).toMatch(/^BROKEN at record 8 \(line 8\): hash_mismatch/);
  });

  it('exits 1 when the tail was cut and the expected head is gone', async () => {
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${readFileSync(path, 'utf8').split('\n').slice(0, 10).join('\n')}\n`);
    const r = await runCli(['audit', 'verify', cut, '--json', '--expect-head', head]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).firstBad.reason).toBe('head_missing');
  });

  it('exits 2 on a missing file or a malformed option', async () => {
    expect((await runCli(['audit', 'verify', join(dir, 'nope.jsonl')])).code).toBe(2);
    expect((await runCli(['audit', 'verify', path, '--expect-head', 'xyz'])).code).toBe(2);
    expect((await runCli(['audit', 'verify'])).code).toBe(2);
  });
});
