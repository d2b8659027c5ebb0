import { describe, expect, it } from 'vitest';
import { formatReport, table } from '../../src/eval/format.js';
import { buildReport } from '../../src/eval/report.js';

describe('eval report formatting', () => {
  it('aligns columns by visible width, ignoring colour codes', () => {
    const out = table(
      [
        ['a', '\u001b[31m1\u001b[39m'],
        ['long name', '100'],
      ],
      ['left', 'right'],
    );
    const lines = out.split('\n').map((l) => l.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(lines).toEqual(['a            1', 'long name  100']);
  });

  it('colours only when asked to, and lists the false negatives', () => {
    const report = buildReport(
      [{ id: 'x', label: 'dangerous', category: 'shell/x', blocked: false, elapsedUs: 5, trace: [] }],
      {
        dataset: 'd.jsonl',
        config: 'full',
        layers: ['schema'],
        principals: 'fresh-per-case',
        tier: 'trusted',
      },
    );
    const plain = formatReport(report, { color: false });
    expect(plain).not.toContain('\u001b[');
    expect(plain).toMatch(/false negatives \(1\): x/);
    expect(formatReport(report, { color: true })).toContain('\u001b[');
  });
});
