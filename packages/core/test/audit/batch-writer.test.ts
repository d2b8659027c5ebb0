import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatchWriter, serializeRecord } from '../../src/audit/record.js';

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/audit-golden.json', import.meta.url), 'utf8'),
) as { records: { fields: Parameters<typeof serializeRecord>[0]; line: string; hash: string }[] };

describe('the batch writer', () => {
  it('writes the golden records byte for byte, with their hashes', () => {
    const w = new BatchWriter();
    w.reset();
    const hashes = golden.records.map((r) => w.add(r.fields));
    expect(hashes).toEqual(golden.records.map((r) => r.hash));
    expect(w.text()).toBe(golden.records.map((r) => `${r.line}\n`).join(''));
  });

  it('writes what serializeRecord writes for multi-byte text, lone surrogates and records larger than its buffer', () => {
    const w = new BatchWriter();
    w.reset();
    const fields = [
      'é漢字\u{1f600}',
      'lone \ud800 and \udfff surrogates',
      'x'.repeat(300_000),
      '\u2028\u0000"\\',
      '漢'.repeat(100_000),
    ].map((s, i) => ({
      seq: i + 1,
      ts: '2026-12-01T00:00:00.000Z',
      type: 'note',
      prev: '0'.repeat(64),
      data: { s },
    }));
    const expected = fields.map((f) => serializeRecord(f));
    expect(fields.map((f) => w.add(f))).toEqual(expected.map((e) => e.hash));
    expect(
      Buffer.from(w.bytes()).equals(Buffer.from(expected.map((e) => `${e.line}\n`).join(''), 'utf8')),
    ).toBe(true);
  });

  it('starts each batch empty', () => {
    const w = new BatchWriter();
    w.reset();
    w.add(golden.records[0]!.fields);
    w.reset();
    w.add(golden.records[1]!.fields);
    expect(w.text()).toBe(`${golden.records[1]!.line}\n`);
  });
});
