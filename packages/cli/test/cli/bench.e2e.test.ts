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
