import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { maintainedFindings } from '../../src/mediation/redaction-maintained.js';
import { createBudget, scanText } from '../../src/mediation/redaction-scanner.js';
import { BENIGN_CASES, SECRET_CASES } from './fixtures/secret-corpus.js';

secretLintProfiler.setEnabled(false);

// The configuration scans were linted with before the rules were set up once.
const CONFIG: Parameters<typeof lintSource>[0]['options']['config'] = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommended,
      rules: [
        { id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } },
        { id: '@secretlint/secretlint-rule-filter-comments', disabled: true },
      ],
    },
  ],
};

async function linted(text: string): Promise<{ rule: string; start: number; end: number }[]> {
  const result = await lintSource({
    source: { filePath: '/result.txt', content: text, ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true, maskSecrets: true },
  });
  return result.messages.map((m) => ({
    rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ''),
    start: m.range[0],
    end: m.range[1],
  }));
}

const texts = [
  ...SECRET_CASES.map((c) => (typeof c.text === 'string' ? c.text : c.text.join(''))),
  ...BENIGN_CASES.map((c) => c.text),
];
const AKIA = ['AKIA', 'IOSFODNN7', 'EXAMPLQ'].join('');

describe('the maintained rules, set up once', () => {
  it('find what lintSource finds, range for range, on every text of the secret corpus', async () => {
    let found = 0;
    for (const text of texts) {
      const ours = maintainedFindings(text);
      expect(ours, text.slice(0, 80)).toEqual(await linted(text));
      found += ours.length;
    }
    expect(found).toBeGreaterThan(20);
  });

  it('find the same secrets in a text scanned again, and none of the last text in the next', () => {
    const secret = `key ${AKIA} here`;
    expect(maintainedFindings(secret)).toEqual([{ rule: 'aws', start: 4, end: 24 }]);
    expect(maintainedFindings('nothing here')).toEqual([]);
    expect(maintainedFindings(secret)).toEqual([{ rule: 'aws', start: 4, end: 24 }]);
  });

  it('are not switched off by a secretlint-disable comment in the text', () => {
    for (const text of [`// secretlint-disable\nkey ${AKIA} here`, `key ${AKIA} // secretlint-disable-line`])
      expect(maintainedFindings(text).map((f) => text.slice(f.start, f.end))).toEqual([AKIA]);
  });

  it('place a secret after a leading byte-order mark on the secret itself', () => {
    const text = `\uFEFFkey ${AKIA} here`;
    const [finding] = scanText(text, createBudget());
    expect(text.slice(finding?.start, finding?.end)).toBe(AKIA);
  });
});
