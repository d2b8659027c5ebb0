import { fileURLToPath } from 'node:url';
import {
  createPipeline,
  createTierLayer,
  createTierTable,
  DEFAULT_SETTINGS,
  ErrorCode,
  type GateSettings,
  GovernedError,
  type ToolCall,
} from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, gateSettingsOf, loadPolicy } from '../src/index.js';
import { callOf } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** What the tier layer, built from `settings`, decides for `call`. */
async function tierOutcome(settings: GateSettings, call: ToolCall): Promise<string> {
  const { decision } = await createPipeline([createTierLayer(settings)]).evaluate(call);
  return decision.outcome;
}

/** The error `promise` rejects with, or a failure when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<GovernedError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof GovernedError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** The error `fn` throws, or a failure when it returns. */
function thrown(fn: () => unknown): GovernedError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GovernedError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('loadPolicy', () => {
  it("carries a tool block's `require tier` into the settings the tier layer enforces", async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    expect(policy.settings.tools).toEqual([
      {
        match: 'deploy',
        tier: 'trusted',
        rateLimit: { perPrincipalTool: { capacity: 3, refillPerSec: 1 / 60 } },
      },
      { match: 'deploy', server: 'staging', tier: 'standard' },
    ]);
    const settings = gateSettingsOf(policy);
    expect(await tierOutcome(settings, callOf('deploy', {}, 'standard'))).toBe('deny');
    expect(await tierOutcome(settings, callOf('deploy', {}, 'trusted'))).toBe('allow');
    // Without the policy's settings the same call passes: the requirement lives only in the file.
    expect(await tierOutcome(DEFAULT_SETTINGS, callOf('deploy', {}, 'standard'))).toBe('allow');
  });

  it('loads the default constitution, with its settings, when no path is given', async () => {
    const policy = await loadPolicy();
    expect(policy.hash).toBe(defaultPolicy().hash);
    expect(policy.settings.tools).toContainEqual(
      expect.objectContaining({ match: '*', classes: ['moves-money'], tier: 'trusted' }),
    );
    expect(await tierOutcome(gateSettingsOf(policy), callOf('make_payment', {}, 'standard'))).toBe('deny');
  });

  it('rejects a policy with errors as invalid_config, every error with its place and carets', async () => {
    const path = fixture('syntax-and-type.policy');
    const e = await rejection(loadPolicy(path));
    expect(e.code).toBe(ErrorCode.InvalidConfig);
    const [head, ...rest] = e.message.split('\n');
    expect(head).toBe(`invalid policy ${path}:`);
    const body = rest.join('\n');
    expect(body).toContain(`${path}:3:3: unknown tier setting 'probz' (did you mean 'probe'?)`);
    expect(body).toContain('    3 |   probz on\n      |   ^^^^^');
    expect(body).toContain(`${path}:6:8: '>' compares numbers, but tool is text`);
    expect(body).not.toMatch(/warning:/);
  });

  it('rejects a file that cannot be read as invalid_config, naming the reason', async () => {
    const path = fixture('no-such.policy');
    const e = await rejection(loadPolicy(path));
    expect(e.code).toBe(ErrorCode.InvalidConfig);
    expect(e.message).toMatch(/^invalid policy .*no-such\.policy:\n.*cannot read the policy file \(ENOENT\)/);
  });
});

describe('gateSettingsOf', () => {
  it("returns the policy's own settings when there are no overrides", async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    expect(gateSettingsOf(policy)).toBe(policy.settings);
  });

  it('replaces tiers, defaultPrincipal and network when an override gives them', async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    const settings = gateSettingsOf(policy, {
      defaultPrincipal: { id: 'ci', tier: 'trusted' },
      network: { allow: [{ hosts: ['localhost'], ports: [3000], minTier: 'trusted' }] },
    });
    expect(settings.defaultPrincipal).toEqual({ id: 'ci', tier: 'trusted' });
    expect(settings.network?.allow).toHaveLength(1);
    expect(settings.tiers).toEqual(policy.settings.tiers);
    expect(settings.tools).toEqual(policy.settings.tools);
  });

  it("keeps the policy's required tier when an override rule covers the tool under another glob", async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    const settings = gateSettingsOf(policy, { tools: [{ match: '*', tier: 'untrusted' }] });
    expect(settings.tools.map((t) => t.match)).toEqual(['deploy', 'deploy', '*']);
    expect(await tierOutcome(settings, callOf('deploy', {}, 'standard'))).toBe('deny');
    // The added rule still governs the tools the policy says nothing about.
    const table = createTierTable(settings);
    const other = table.resolve(callOf('read_file', {}, 'untrusted'));
    expect(other.ok && other.fact).toMatchObject({ requiredTier: 'untrusted', source: 'rule' });
  });

  it('merges an override rule naming the same glob and server into the policy rule, field by field', async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    const limited = gateSettingsOf(policy, {
      tools: [{ match: 'deploy', rateLimit: { maxConcurrent: 1 }, tier: undefined }],
    });
    expect(limited.tools[0]).toEqual({ match: 'deploy', tier: 'trusted', rateLimit: { maxConcurrent: 1 } });
    expect(limited.tools).toHaveLength(2);
    expect(await tierOutcome(limited, callOf('deploy', {}, 'standard'))).toBe('deny');

    const lowered = gateSettingsOf(policy, { tools: [{ match: 'deploy', tier: 'standard' }] });
    expect(await tierOutcome(lowered, callOf('deploy', {}, 'standard'))).toBe('allow');

    const staging = gateSettingsOf(policy, {
      tools: [{ match: 'deploy', server: 'staging', tier: 'trusted' }],
    });
    expect(staging.tools[1]).toEqual({ match: 'deploy', server: 'staging', tier: 'trusted' });
    expect(await tierOutcome(staging, callOf('deploy', {}, 'standard', { server: 'staging' }))).toBe('deny');
  });

  it('rejects overrides that do not make valid settings as invalid_config, naming the problem', async () => {
    const policy = await loadPolicy(fixture('deploy.policy'));
    const cases: [unknown, RegExp][] = [
      [{ tiers: [{ ...DEFAULT_SETTINGS.tiers[1]! }] }, /tool rule 'deploy': unknown tier 'trusted'/],
      [{ tools: [{ match: 'x', tier: 'nope' }] }, /tool rule 'x': unknown tier 'nope'/],
      [{ tools: { match: 'deploy' } }, /tools: .*expected array/],
      [{ tools: [{ match: '' }] }, /tools\.0\.match: /],
      [{ tool: [] }, /\(root\): Unrecognized key: "tool"/],
      [['tiers'], /expected an object of settings, got array/],
    ];
    for (const [overrides, message] of cases) {
      const e = thrown(() => gateSettingsOf(policy, overrides as Record<string, unknown>));
      expect(e.code).toBe(ErrorCode.InvalidConfig);
      expect(e.message).toMatch(/^invalid settings:\n/);
      expect(e.message).toMatch(message);
    }
  });
});
