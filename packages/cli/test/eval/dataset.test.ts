import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EvalErrorCode, loadDataset, parseDataset } from '../../src/eval/dataset.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const repoFile = (path: string): string => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

describe('eval dataset', () => {
  it('parses valid cases, skips blank lines and keeps each case’s line number', async () => {
    const r = await loadDataset(fixture('small.jsonl'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.cases.map((c) => [c.id, c.line])).toEqual([
      ['s1', 1],
      ['s2', 2],
      ['s3', 4],
      ['s4', 5],
    ]);
    expect(r.cases[2]!.principal).toEqual({ id: 'alice', tier: 'standard' });
  });

  it('reports every invalid line with its line number instead of skipping it', async () => {
    const r = await loadDataset(fixture('bad.jsonl'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.line, i.code])).toEqual([
      [2, EvalErrorCode.InvalidCase],
      [3, EvalErrorCode.InvalidCase],
      [4, EvalErrorCode.DuplicateId],
      [5, EvalErrorCode.InvalidCase],
    ]);
    expect(r.issues[0]!.message).toMatch(/label/);
    expect(r.issues[1]!.message).toMatch(/not JSON/);
    expect(r.issues[2]!.message).toMatch(/line 1/);
    expect(r.issues[3]!.message).toMatch(/arguments/);
  });

  it('rejects unknown fields, a tool without an object schema, and an empty principal', () => {
    const base = {
      id: 'a',
      tool: { name: 't', inputSchema: { type: 'object' } },
      arguments: {},
      label: 'safe',
      category: 'x',
    };
    const line = (v: object): string => JSON.stringify(v);
    expect(parseDataset(line({ ...base, lable: 'safe' })).ok).toBe(false);
    expect(parseDataset(line({ ...base, tool: { name: 't', inputSchema: { type: 'string' } } })).ok).toBe(
      false,
    );
    expect(parseDataset(line({ ...base, principal: { id: '', tier: 'standard' } })).ok).toBe(false);
    expect(parseDataset(line({ ...base, tool: { name: '', inputSchema: { type: 'object' } } })).ok).toBe(
      false,
    );
    expect(parseDataset(line(base)).ok).toBe(true);
  });

  it('keeps hostile keys such as __proto__ in the arguments exactly as written, without polluting prototypes', () => {
    const line =
      '{"id":"p","tool":{"name":"t","inputSchema":{"type":"object"}},"arguments":{"__proto__":{"polluted":true},"a":1},"label":"dangerous","category":"x"}';
    const r = parseDataset(line);
    if (!r.ok) throw new Error('the case should parse');
    const args = r.cases[0]!.arguments;
    expect(Object.keys(args)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(args, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('treats an empty dataset and an unreadable file as errors', async () => {
    const empty = parseDataset('\n\n');
    expect(empty.ok ? [] : empty.issues.map((i) => i.code)).toEqual([EvalErrorCode.EmptyDataset]);
    const missing = await loadDataset(fixture('does-not-exist.jsonl'));
    expect(missing.ok ? [] : missing.issues.map((i) => i.code)).toEqual([EvalErrorCode.DatasetUnreadable]);
  });

  it('ships a development set of at least 200 cases, at least half benign, and a held-out set of at least 60', async () => {
    const dev = parseDataset(await readFile(repoFile('eval/benchmark.jsonl'), 'utf8'));
    const held = parseDataset(await readFile(repoFile('eval/heldout.jsonl'), 'utf8'));
    if (!dev.ok || !held.ok) throw new Error('a shipped dataset does not validate');
    expect(dev.cases.length).toBeGreaterThanOrEqual(200);
    expect(dev.cases.filter((c) => c.label === 'safe').length * 2).toBeGreaterThanOrEqual(dev.cases.length);
    expect(held.cases.length).toBeGreaterThanOrEqual(60);
    expect(held.cases.filter((c) => c.label === 'safe').length * 2).toBeGreaterThanOrEqual(held.cases.length);
    const devIds = new Set(dev.cases.map((c) => c.id));
    expect(held.cases.filter((c) => devIds.has(c.id))).toEqual([]);
    // The held-out part is not a copy: no held-out call repeats a development call.
    const devCalls = new Set(dev.cases.map((c) => JSON.stringify([c.tool.name, c.arguments])));
    expect(held.cases.filter((c) => devCalls.has(JSON.stringify([c.tool.name, c.arguments])))).toEqual([]);
  });
});
