import { describe, expect, it } from 'vitest';
import { DETECTOR_IDS, initShellParser } from '../../src/index.js';
import { formatScores, loadCorpus, scoreCorpus } from './corpus-metrics.js';

// Floors per detector on the labelled corpus in test/fixtures/prefilter-corpus.json. The table is
// printed on every run so a change in any detector's precision or recall is visible in the output.
const PRECISION_FLOOR = 0.9;
const RECALL_FLOOR = 0.85;

// The shell analysis needs its parser loaded before the corpus is scored at collection time.
await initShellParser();

describe('pre-filter corpus', () => {
  const cases = loadCorpus();
  const { scores, misses, falseAlarms } = scoreCorpus(cases);

  it('holds hostile cases for every detector and benign cases that resemble them', () => {
    for (const d of DETECTOR_IDS)
      expect(cases.filter((c) => c.expect.includes(d)).length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.expect.length === 0).length).toBeGreaterThanOrEqual(60);
  });

  it('meets the precision and recall floors for every detector', () => {
    console.log(
      `\n${formatScores(scores)}\n${[...misses, ...falseAlarms.map((f) => `false alarm ${f}`)].join('\n')}`,
    );
    for (const s of scores) {
      expect({ detector: s.detector, precision: s.precision }).toEqual({
        detector: s.detector,
        precision: expect.toSatisfy((p: number) => p >= PRECISION_FLOOR),
      });
      expect({ detector: s.detector, recall: s.recall }).toEqual({
        detector: s.detector,
        recall: expect.toSatisfy((r: number) => r >= RECALL_FLOOR),
      });
    }
  });

  it('lets every benign case through', () => {
    const benign = new Set(cases.filter((c) => c.expect.length === 0).map((c) => c.id));
    expect(falseAlarms.filter((f) => benign.has(f.split(':')[0] as string))).toEqual([]);
  });
});
