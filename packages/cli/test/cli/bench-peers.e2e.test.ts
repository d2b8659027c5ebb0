import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

type Spread = { median: number; min: number; max: number };

function expectRatios(ratios: Record<string, unknown>, names: readonly string[]): void {
  expect(Object.keys(ratios).sort()).toEqual([...names].sort());
  for (const name of names) {
    const value = ratios[name];
    expect(typeof value, name).toBe('number');
    expect(Number.isFinite(value as number) && (value as number) > 0, `${name} = ${String(value)}`).toBe(
      true,
    );
  }
}

function expectSpread(value: unknown, name: string): void {
  const s = value as Spread;
  expect(s.median, name).toBeGreaterThan(0);
  expect(s.min, name).toBeLessThanOrEqual(s.median);
  expect(s.max, name).toBeGreaterThanOrEqual(s.median);
}

describe('governed-mcp bench peers', () => {
  it('prints positive finite ratios against each installed peer and reports a hidden peer as not installed', async () => {
    const r = await runCli(['bench', 'peers', '--json', '--quick', '--without', 'mcp-proxy'], {
      timeoutMs: 230_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.peers).toEqual({
      supergateway: { installed: true, version: '4.0.0' },
      'mcp-proxy': { installed: false },
      '@microsoft/agent-governance-sdk': { installed: true, version: '4.0.0' },
    });
    expectRatios(f.stdio.ratios, ['governed_vs_direct_p50', 'governed_vs_direct_cps']);
    for (const k of ['direct_p50_ms', 'governed_p50_ms', 'direct_cps', 'governed_cps'])
      expectSpread(f.stdio[k], k);
    // The hidden peer is skipped: no figures and no ratios for it.
    expectRatios(f.http_to_stdio.ratios, ['governed_vs_supergateway_p50', 'governed_vs_supergateway_cps']);
    expect(f.http_to_stdio.mcp_proxy_p50_ms).toBeUndefined();
    expectSpread(f.http_to_stdio.supergateway_p50_ms, 'supergateway_p50_ms');
    expectRatios(f.stdio_to_http.ratios, ['governed_vs_supergateway_p50', 'governed_vs_supergateway_cps']);
    expectRatios(f.cold_start.ratios, ['governed_vs_direct']);
    expectRatios(f.in_process.ratios, [
      'ours_vs_agt_policy_audit_p50',
      'ours_with_hash_vs_agt_policy_audit_p50',
      'ours_vs_agt_execute_p50',
      'ours_with_hash_vs_agt_execute_p50',
    ]);
    expectSpread(f.in_process.agt_execute_with_governance_p50_us, 'agt_execute_with_governance_p50_us');
    expect(f.setup.rounds).toBe(1);
    expect(f.setup.agt_policy).toContain('/etc/passwd');
  }, 240_000);

  it('exits 2 with unknown_peer when --without names a peer it does not know', async () => {
    const r = await runCli(['bench', 'peers', '--json', '--without', 'not-a-peer']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown_peer: not-a-peer');
  });

  it('exits 2 with invalid_rounds when --rounds is not a positive integer', async () => {
    const r = await runCli(['bench', 'peers', '--rounds', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid_rounds');
  });
});
