import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONSTITUTION, defaultPolicy } from '@governed-mcp/policy-dsl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
// The policy package's own fixtures: the files its language tests are written against.
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../policy-dsl/test/fixtures/${name}`, import.meta.url));

/** Runs the governed-mcp CLI from source. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'packages/cli/src/cli/main.ts', ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('governed-mcp policy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('check: exits 0 for a valid policy and says what it holds', async () => {
    const r = await cli('policy', 'check', fixture('example.policy'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /example\.policy: ok: 5 rules, 2 principles, 2 tiers, default deny, hash [0-9a-f]{64}/,
    );
  });

  it('check: exits 1 and prints every error as FILE:LINE:COL: message with a caret excerpt', async () => {
    const file = join(dir, 'bad.policy');
    await writeFile(
      file,
      'default allow\ntier low\n  probz on\nend\ndeny r\n  when tier >= trused\n  reason "x"\nend\n',
    );
    const r = await cli('policy', 'check', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:3: unknown tier setting 'probz' (did you mean 'probe'?)`);
    expect(r.stderr).toContain('    3 |   probz on\n      |   ^^^^^');
    expect(r.stderr).toMatch(/invalid policy \(1 error\)/);
    await writeFile(file, 'default allow\ndeny r\n  when tier >= trused\n  reason "x"\nend\n');
    const typed = await cli('policy', 'check', '--json', file);
    expect(typed.code).toBe(1);
    expect(JSON.parse(typed.stdout)).toMatchObject({
      ok: false,
      diagnostics: [{ line: 3, col: 16, code: 'unknown_tier' }],
    });
  });

  it('check: prints warnings but passes, unless --strict', async () => {
    const file = join(dir, 'warn.policy');
    await writeFile(file, 'default allow\ndeny r\n  when tool == "a" and tool == "b"\n  reason "x"\nend\n');
    const loose = await cli('policy', 'check', file);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain(`${file}:2:1: warning: rule 'r' can never match`);
    expect((await cli('policy', 'check', '--strict', file)).code).toBe(1);
  });

  it('default: prints the default constitution, which checks clean', async () => {
    const r = await cli('policy', 'default');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(DEFAULT_CONSTITUTION);
    const file = join(dir, 'default.policy');
    await writeFile(file, r.stdout);
    const check = await cli('policy', 'check', '--json', file);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, hash: defaultPolicy().hash, diagnostics: [] });
  });

  it('explain: names the deciding rule, where it is, why, and the policy hash', async () => {
    const call = JSON.stringify({
      tool: 'issue_refund',
      arguments: { amount: 900 },
      principal: { id: 'bob', tier: 'trusted' },
    });
    const r = await cli('policy', 'explain', fixture('example.policy'), '--call', call);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^DENY issue_refund for bob \(tier trusted\)/);
    expect(r.stdout).toMatch(/decided by: deny rule 'big-refunds' at .*payments\.policy:4/);
    expect(r.stdout).toContain('reason: Refunds above 500 go through a person.');
    const call2 = JSON.stringify({ tool: 'read_file', arguments: { path: '/srv/app/.ssh/id_rsa' } });
    const both = await cli('policy', 'explain', '--json', fixture('example.policy'), '--call', call2);
    expect(JSON.parse(both.stdout)).toMatchObject({
      outcome: 'deny',
      rule: 'read-keys',
      overridden: [
        { rule: 'read-workspace', effect: 'allow', where: expect.stringMatching(/example\.policy:31$/) },
      ],
    });
    const json = await cli(
      'policy',
      'explain',
      '--json',
      fixture('example.policy'),
      '--call',
      // A read-only tool needs no more than the default principal's tier: the policy's default decides.
      JSON.stringify({ tool: { name: 'other', annotations: { readOnlyHint: true } } }),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      outcome: 'deny',
      decidedBy: 'default',
      rule: null,
      principal: { id: 'ci-bot', tier: 'standard' },
    });
  });

  it("explain: gives the gate's answer, so a policy's require-tier rule denies before any rule matches", async () => {
    const call = JSON.stringify({
      tool: 'deploy',
      arguments: {},
      principal: { id: 'ann', tier: 'standard' },
    });
    const r = await cli('policy', 'explain', '--json', fixture('deploy.policy'), '--call', call);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      outcome: 'deny',
      decidedBy: 'layer',
      layer: 'tier',
      rules: 'allow',
    });
    const text = await cli('policy', 'explain', fixture('deploy.policy'), '--call', call);
    expect(text.stdout).toMatch(/^DENY deploy for ann \(tier standard\)/);
    expect(text.stdout).toMatch(/decided by: the tier layer .* the rules alone: allow/);
    const trusted = JSON.stringify({
      tool: 'deploy',
      arguments: {},
      principal: { id: 'ann', tier: 'trusted' },
    });
    const ok = await cli('policy', 'explain', '--json', fixture('deploy.policy'), '--call', trusted);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'allow', decidedBy: 'default' });
  });

  it('explain: exits 2 on a call that is not valid JSON or has unknown fields', async () => {
    expect((await cli('policy', 'explain', fixture('example.policy'), '--call', '{nope')).code).toBe(2);
    const r = await cli('policy', 'explain', fixture('example.policy'), '--call', '{"tool":"x","argz":{}}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--call is not a valid call/);
  });
});
