import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/audit/hash.js';
import { serializeRecord } from '../../src/audit/record.js';
import {
  CheckpointCode,
  checkpointKeyId,
  generateCheckpointKey,
  makeCheckpoint,
  openAuditLog,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  readSignerKeyFile,
  readVerifierKeyFile,
  verifyAuditFile,
  verifyChainAgainstCheckpoint,
  verifyCheckpoint,
  writeCheckpointKeyPair,
} from '../../src/node.js';

const dir = mkdtempSync(join(tmpdir(), 'gmcp-checkpoint-'));
const key = generateCheckpointKey('gate-1');
const other = generateCheckpointKey('gate-1');
const head = { seq: 42, hash: 'ab'.repeat(32) };
const time = new Date('2026-12-01T20:00:00.000Z');

/** A verifier key's three fields (its base64 may itself hold '+'). */
const splitKey = (text: string): [string, string, string] => {
  const m = /^([^+]+)\+([^+]+)\+(.+)$/.exec(text);
  if (m === null) throw new Error(`not a key: ${text}`);
  return [m[1]!, m[2]!, m[3]!];
};

/** Rewrites lines with new data and recomputes every hash: a chain that verifies on its own. */
function rewriteChain(lines: string[], from: number): string[] {
  let prev = GENESIS_HASH;
  return lines.map((line, i) => {
    const r = JSON.parse(line) as { seq: number; ts: string; type: string; data: object };
    const data = i + 1 >= from ? { ...r.data, forged: true } : r.data;
    const out = serializeRecord({ seq: r.seq, ts: r.ts, type: r.type, prev, data });
    prev = out.hash;
    return out.line;
  });
}

describe('checkpoint text and keys', () => {
  it('round-trips: a checkpoint made with a key verifies with its public key and parses back', () => {
    const text = makeCheckpoint(head, key.privateKey, { origin: 'example.org/audit', time });
    expect(text).toBe(
      `example.org/audit\n42\n${head.hash}\ntime 2026-12-01T20:00:00.000Z\n\n\u2014 gate-1 ${text.split(' ').at(-1)}`,
    );
    const r = verifyCheckpoint(text, key.publicKey);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.checkpoint).toMatchObject({ origin: 'example.org/audit', size: 42, hash: head.hash });
      expect(r.checkpoint.time).toBe('2026-12-01T20:00:00.000Z');
    }
  });

  it('formats keys as signed-note keys whose ID is SHA-256 of name, newline, 0x01 and the key', () => {
    expect(key.publicKey).toMatch(/^gate-1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(key.privateKey).toMatch(/^PRIVATE\+KEY\+gate-1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const v = parseVerifierKey(key.publicKey);
    expect(Buffer.from(checkpointKeyId('gate-1', v.publicKey)).toString('hex')).toBe(
      splitKey(key.publicKey)[1],
    );
    expect(parseSignerKey(key.privateKey).publicKey).toEqual(v.publicKey);
  });

  it('fails with checkpoint_wrong_key for a checkpoint signed by another key of the same name', () => {
    const text = makeCheckpoint(head, other.privateKey, { origin: 'o', time });
    expect(verifyCheckpoint(text, key.publicKey)).toMatchObject({ ok: false, code: CheckpointCode.WrongKey });
  });

  it.each([
    ['size', (t: string) => t.replace('\n42\n', '\n43\n')],
    ['hash', (t: string) => t.replace(head.hash, `ac${head.hash.slice(2)}`)],
    ['origin', (t: string) => t.replace('example.org/audit', 'example.org/other')],
    ['time', (t: string) => t.replace('20:00:00', '21:00:00')],
  ])('fails with checkpoint_bad_signature when its %s line is changed', (_, change) => {
    const text = makeCheckpoint(head, key.privateKey, { origin: 'example.org/audit', time });
    expect(verifyCheckpoint(change(text), key.publicKey)).toMatchObject({
      ok: false,
      code: CheckpointCode.BadSignature,
    });
  });

  it.each([
    ['no blank line', 'o\n1\nabc\n'],
    ['a size that is not a number', `o\nten\n${head.hash}\n\n\u2014 k AAAAAAAA\n`],
    ['a size with a leading zero', `o\n042\n${head.hash}\n\n\u2014 k AAAAAAAA\n`],
    ['a short hash', 'o\n1\nabcd\n\n\u2014 k AAAAAAAA\n'],
    ['no signature line', `o\n1\n${head.hash}\n\n`],
    ['a signature line with a hyphen', `o\n1\n${head.hash}\n\n- k AAAAAAAA\n`],
  ])('rejects as checkpoint_malformed a text with %s', (_, text) => {
    expect(parseCheckpoint(text)).toMatchObject({ ok: false, code: CheckpointCode.Malformed });
    expect(verifyCheckpoint(text, key.publicKey)).toMatchObject({
      ok: false,
      code: CheckpointCode.Malformed,
    });
  });

  it('refuses a key whose key ID does not match its name and key', () => {
    const [name, id, b64] = splitKey(key.publicKey);
    const wrongId = id === '00000000' ? '00000001' : '00000000';
    expect(() => parseVerifierKey(`${name}+${wrongId}+${b64}`)).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyIdMismatch }),
    );
    expect(() => parseVerifierKey(`gate-2+${id}+${b64}`)).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyIdMismatch }),
    );
    const priv = key.privateKey.replace(`+${id}+`, `+${wrongId}+`);
    expect(() => parseSignerKey(priv)).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyIdMismatch }),
    );
  });

  it('refuses malformed keys and key names with spaces or plus signs', () => {
    expect(() => parseVerifierKey('gate-1+abc')).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyMalformed }),
    );
    expect(() => parseVerifierKey(key.privateKey)).toThrow(/private key/);
    expect(() => generateCheckpointKey('a b')).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyMalformed }),
    );
    expect(() => generateCheckpointKey('a+b')).toThrow(
      expect.objectContaining({ code: CheckpointCode.KeyMalformed }),
    );
  });
});

describe('key files', () => {
  it('writes PREFIX.key with mode 0600 and PREFIX.pub, and refuses to overwrite them', async () => {
    const prefix = join(dir, 'k1');
    const { publicKey } = await writeCheckpointKeyPair(prefix, 'gate-1');
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${prefix}.pub`, 'utf8')).toBe(`${publicKey}\n`);
    expect((await readSignerKeyFile(`${prefix}.key`)).name).toBe('gate-1');
    await expect(writeCheckpointKeyPair(prefix, 'gate-1')).rejects.toThrow(/refusing to overwrite/);
  });

  it('refuses to read a private key file that group or others can read', async () => {
    const path = join(dir, 'open.key');
    writeFileSync(path, key.privateKey);
    chmodSync(path, 0o644);
    await expect(readSignerKeyFile(path)).rejects.toMatchObject({ code: CheckpointCode.KeyUnprotected });
  });

  it('says a key file is missing with checkpoint_key_missing', async () => {
    await expect(readVerifierKeyFile(join(dir, 'nope.pub'))).rejects.toMatchObject({
      code: CheckpointCode.KeyMissing,
    });
    await expect(readSignerKeyFile(join(dir, 'nope.key'))).rejects.toMatchObject({
      code: CheckpointCode.KeyMissing,
    });
  });
});

describe('verifyChainAgainstCheckpoint', () => {
  const path = join(dir, 'audit.jsonl');
  let text = '';
  let lines: string[] = [];

  beforeAll(async () => {
    const log = await openAuditLog(path, { durability: 'write' });
    for (let i = 0; i < 9; i++) await log.append('decision', { i });
    await log.flush();
    text = makeCheckpoint(log.head, key.privateKey, { origin: 'test/audit' });
    await log.close();
    lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  });

  const copy = (name: string, content: string[]): string => {
    const p = join(dir, name);
    writeFileSync(p, content.length === 0 ? '' : `${content.join('\n')}\n`);
    return p;
  };

  it('passes for the chain the checkpoint was made of', async () => {
    const r = await verifyChainAgainstCheckpoint(path, text, key.publicKey);
    expect(r).toMatchObject({
      ok: true,
      chain: { ok: true, records: 10 },
      checkpoint: { ok: true, size: 10 },
    });
  });

  it('passes when records were appended after the checkpoint', async () => {
    const log = await openAuditLog(copy('grown.jsonl', lines), { durability: 'write' });
    await log.append('decision', { later: true });
    await log.close();
    const r = await verifyChainAgainstCheckpoint(log.path, text, key.publicKey);
    expect(r).toMatchObject({ ok: true, chain: { records: 12 }, checkpoint: { ok: true, size: 10 } });
  });

  it('fails a chain rewritten in full that verifies on its own', async () => {
    const forged = copy('forged.jsonl', rewriteChain(lines, 4));
    expect((await verifyAuditFile(forged)).ok).toBe(true);
    const r = await verifyChainAgainstCheckpoint(forged, text, key.publicKey);
    expect(r.ok).toBe(false);
    expect(r.checkpoint).toMatchObject({ ok: false, code: CheckpointCode.ChainMismatch });
    expect(r.checkpoint.reason).toMatch(/rewritten/);
  });

  it('fails a chain whose tail was cut below the checkpoint', async () => {
    const cut = copy('cut.jsonl', lines.slice(0, 7));
    expect((await verifyAuditFile(cut)).ok).toBe(true);
    const r = await verifyChainAgainstCheckpoint(cut, text, key.publicKey);
    expect(r.checkpoint).toMatchObject({ ok: false, code: CheckpointCode.ChainMismatch });
    expect(r.checkpoint.reason).toMatch(/7 records, the checkpoint 10: the tail was cut/);
  });

  it('fails a chain broken before the checkpoint, naming the break', async () => {
    const bad = [...lines];
    bad[3] = bad[3]!.replace('"i":2', '"i":7');
    const r = await verifyChainAgainstCheckpoint(copy('broken.jsonl', bad), text, key.publicKey);
    expect(r.ok).toBe(false);
    expect(r.chain.firstBad).toMatchObject({ seq: 4, reason: 'hash_mismatch' });
    expect(r.checkpoint).toMatchObject({ ok: false, code: CheckpointCode.ChainBroken });
  });

  it('fails when the checkpoint is signed by another key, whatever the chain', async () => {
    const r = await verifyChainAgainstCheckpoint(path, text, other.publicKey);
    expect(r).toMatchObject({
      ok: false,
      chain: { ok: true },
      checkpoint: { ok: false, code: CheckpointCode.WrongKey },
    });
  });
});
