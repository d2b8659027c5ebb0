import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSampleLog } from './audit-fixture.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-cli-checkpoint-'));
const path = join(dir, 'audit.jsonl');
const prefix = join(dir, 'gate');
let head = '';

beforeAll(async () => {
  head = await writeSampleLog(path);
});

describe('governed-mcp audit keygen, checkpoint and verify --checkpoint', () => {
  it('keygen writes a private key with mode 0600 and a public key, and refuses to overwrite', async () => {
    const r = await runCli(['audit', 'keygen', '--name', 'gate-1', '--out', prefix]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gate-1\+[0-9a-f]{8}\+\S{44}\n$/);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${prefix}.pub`, 'utf8')).toBe(r.stdout);
    const again = await runCli(['audit', 'keygen', '--name', 'gate-1', '--out', prefix]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite/);
  });

  it('checkpoint prints a signed checkpoint of the head and writes it to --out', async () => {
    const out = join(dir, 'cp.txt');
    const r = await runCli([
      'audit',
      'checkpoint',
      path,
      '--key',
      `${prefix}.key`,
      '--out',
      out,
      '--origin',
      'ex/a',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ex/a\\n21\\n${head}\\ntime \\S+Z\\n\\n\u2014 gate-1 \\S+\\n$`));
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });

  it('verify --checkpoint exits 0 and adds a checkpoint object to the JSON report', async () => {
    const r = await runCli([
      'audit',
      'verify',
      path,
      '--checkpoint',
      join(dir, 'cp.txt'),
      '--key',
      `${prefix}.pub`,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      records: 21,
      head,
      checkpoint: { ok: true, size: 21, hash: head },
    });
    const human = await runCli([
      'audit',
      'verify',
      path,
      '--checkpoint',
      join(dir, 'cp.txt'),
      '--key',
      `${prefix}.pub`,
    ]);
    expect(human.stdout).toContain('checkpoint: matches record 21');
  });

  it('verify --checkpoint exits 1 for a chain cut below the checkpoint that verifies alone', async () => {
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${readFileSync(path, 'utf8').split('\n').slice(0, 12).join('\n')}\n`);
    expect((await runCli(['audit', 'verify', cut])).code).toBe(0);
    const r = await runCli([
      'audit',
      'verify',
      cut,
      '--checkpoint',
      join(dir, 'cp.txt'),
      '--key',
      `${prefix}.pub`,
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).checkpoint).toMatchObject({
      ok: false,
      size: 21,
      hash: head,
      code: 'checkpoint_chain_mismatch',
    });
  });

  it('verify --checkpoint exits 1 for a checkpoint whose size was edited', async () => {
    const edited = join(dir, 'edited.txt');
    writeFileSync(edited, readFileSync(join(dir, 'cp.txt'), 'utf8').replace('\n21\n', '\n20\n'));
    const r = await runCli(['audit', 'verify', path, '--checkpoint', edited, '--key', `${prefix}.pub`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('checkpoint: FAILED: checkpoint_bad_signature');
  });

  it('exits 2 for a missing key, a readable private key, and --checkpoint without --key', async () => {
    const missing = await runCli(['audit', 'checkpoint', path, '--key', join(dir, 'none.key')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('checkpoint_key_missing');
    const open = join(dir, 'open.key');
    writeFileSync(open, readFileSync(`${prefix}.key`));
    chmodSync(open, 0o644);
    const unprotected = await runCli(['audit', 'checkpoint', path, '--key', open]);
    expect(unprotected.code).toBe(2);
    expect(unprotected.stderr).toContain('checkpoint_key_unprotected');
    const half = await runCli(['audit', 'verify', path, '--checkpoint', join(dir, 'cp.txt')]);
    expect(half.code).toBe(2);
  });

  it('checkpoint exits 1 and signs nothing for a broken chain', async () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[4] = lines[4]!.replace('"i":3', '"i":30');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const out = join(dir, 'bad-cp.txt');
    const r = await runCli(['audit', 'checkpoint', bad, '--key', `${prefix}.key`, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
