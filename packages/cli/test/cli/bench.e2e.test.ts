import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('governed-mcp bench pipeline', () => {
  it('prints the contract JSON: no-op baseline and the deterministic layers measured in one run', async () => {
    const r = await runCli(['bench', 'pipeline', '--json', '--quick'], { timeoutMs: 170_000 });
    expect(r.code, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout);
    for (const key of ['noop', 'deterministic_1kb', 'trivial_6']) {
      expect(figures[key].p50_us).toBeGreaterThan(0);
      expect(figures[key].p99_us).toBeGreaterThanOrEqual(figures[key].p50_us);
    }
    expect(figures.layers).toEqual(['schema', 'tier', 'rate-limit', 'paths', 'prefilter', 'policy']);
    expect(Object.keys(figures.audit_append)).toEqual(['fsync', 'group', 'write', 'none']);
    expect(figures.verify).toMatchObject({ records: 2000 });
    expect(figures.policy_match).toBeTypeOf('object');
    expect(figures.four_layers).toBeTypeOf('object');
  }, 180_000);

  it('exits 2 on an unknown benchmark', async () => {
    expect((await runCli(['bench', 'nothing'])).code).toBe(2);
  });
});

describe('governed-mcp bench session', () => {
  it('prints the contract JSON: judgement, provenance and the mediator beside a no-op, and memory per session', async () => {
    const r = await runCli(['bench', 'session', '--json', '--quick'], { timeoutMs: 170_000 });
    expect(r.code, r.stderr).toBe(0);
    const figures = JSON.parse(r.stdout);
    for (const key of [
      'noop',
      'judge_result_64kb',
      'provenance_record_64kb',
      'provenance_origins_1kb',
      'mediator_1kb_call_64b_result',
      'mediator_1kb_call_64kb_result',
    ]) {
      expect(figures[key].p50_us, key).toBeGreaterThan(0);
      expect(figures[key].p99_us, key).toBeGreaterThanOrEqual(figures[key].p50_us);
    }
    expect(figures.result_bytes).toBeGreaterThan(64 * 1024);
    expect(figures.memory).toMatchObject({ steps: 100, sessions: 4 });
    expect(figures.memory.heap_bytes_per_session).toBeTypeOf('number');
    // Filled to its bounds first, the ledger holds no more than its limit.
    expect(figures.ledger_stats_full.values).toBeLessThanOrEqual(4096);
  }, 180_000);
});
