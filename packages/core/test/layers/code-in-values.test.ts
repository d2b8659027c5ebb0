import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser, scanArguments, type ToolDefinition } from '../../src/index.js';
import {
  CODE_VALUE_BENIGN,
  CODE_VALUE_HOSTILE,
  DECODED_EVAL_BENIGN,
  DECODED_EVAL_HOSTILE,
  STRUCTURED_BENIGN,
  STRUCTURED_HOSTILE,
  type ValueCase,
} from './code-in-values-corpus.js';

const tools = new Map<string, ToolDefinition>();
function toolOf(name: string): ToolDefinition {
  let t = tools.get(name);
  if (t === undefined) {
    t = { name, inputSchema: { type: 'object' } };
    tools.set(name, t);
  }
  return t;
}

function fired(c: ValueCase): string[] {
  return scanArguments(c.args, toolOf(c.tool))
    .filter((f) => f.recordOnly !== true)
    .map((f) => `${f.detector}/${f.code}`);
}

/** A `detector/code` expectation matches exactly; a bare detector id matches any of its codes. */
function missing(c: ValueCase): string[] {
  const got = fired(c);
  return c.expect.filter((e) =>
    e.includes('/') ? !got.includes(e) : !got.some((g) => g.startsWith(`${e}/`)),
  );
}

const label = (c: ValueCase): string => `${c.tool} ${JSON.stringify(c.args).slice(0, 140)}`;

function suite(name: string, hostile: readonly ValueCase[], benign: readonly ValueCase[]): void {
  describe(name, () => {
    beforeAll(() => initShellParser());

    it('holds at least 10 hostile spellings and 10 ordinary calls', () => {
      expect(hostile.length).toBeGreaterThanOrEqual(10);
      expect(benign.length).toBeGreaterThanOrEqual(10);
    });

    it.each(hostile.map((c) => [label(c), c] as const))('reports %s', (_l, c) => {
      expect(missing(c), `→ ${fired(c).join(', ') || 'nothing'}`).toEqual([]);
    });

    it.each(benign.map((c) => [label(c), c] as const))('lets %s through', (_l, c) => {
      expect(fired(c)).toEqual([]);
    });
  });
}

suite(
  'code in an ordinary value is judged by the commands its process calls run',
  CODE_VALUE_HOSTILE,
  CODE_VALUE_BENIGN,
);
suite(
  'code that hands decoded text to an evaluator is hidden code, and a stored browser secret sent away is exfiltration',
  DECODED_EVAL_HOSTILE,
  DECODED_EVAL_BENIGN,
);
suite(
  'structured file content is read as data whose keys make some strings commands',
  STRUCTURED_HOSTILE,
  STRUCTURED_BENIGN,
);

describe('reading content as structured data is bounded and fails closed past its bounds', () => {
  beforeAll(() => initShellParser());
  const write = toolOf('write_file');

  it('stops at nesting deeper than the bound and blocks', () => {
    const content = `${'['.repeat(300)}${']'.repeat(300)}`;
    const codes = scanArguments({ path: 'data.json', content }, write).map((f) => `${f.detector}/${f.code}`);
    expect(codes).toContain('scan-limit/structured_too_deep');
  });

  it('stops past the bound on commands and blocks', () => {
    const scripts = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`s${i}`, 'tsc']));
    const content = JSON.stringify({ name: 'w', scripts });
    const codes = scanArguments({ path: 'package.json', content }, write).map(
      (f) => `${f.detector}/${f.code}`,
    );
    expect(codes).toContain('scan-limit/structured_too_many_commands');
  });

  it('reads a large ordinary data file within the bounds without a finding', () => {
    const packages = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`node_modules/p${i}`, { version: '1.0.0', resolved: 'r' }]),
    );
    const content = JSON.stringify({ name: 'w', lockfileVersion: 3, packages });
    expect(scanArguments({ path: 'package-lock.json', content }, write)).toEqual([]);
  });
});
