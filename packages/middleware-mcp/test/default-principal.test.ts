import { DEFAULT_SETTINGS, parseSettings } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { localUserName, resolveDefaultPrincipal } from '../src/default-principal.js';

const base = { settings: DEFAULT_SETTINGS, policyFile: false, user: 'dev' } as const;

describe('the principal of sessions without a token', () => {
  it('over stdio with no configuration is the local user, tier trusted', () => {
    expect(resolveDefaultPrincipal({ ...base, config: {}, transport: 'stdio' })).toEqual({
      principal: { id: 'local:dev', tier: 'trusted' },
      source: 'local-user',
    });
  });

  it('over HTTP with no configuration is the least-privilege default of the settings', () => {
    expect(resolveDefaultPrincipal({ ...base, config: {}, transport: 'http' })).toEqual({
      principal: DEFAULT_SETTINGS.defaultPrincipal,
      source: 'unidentified',
    });
  });

  it('a principal in the config file wins on both transports', () => {
    const principal = { id: 'ci-bot', tier: 'untrusted' };
    for (const transport of ['stdio', 'http'] as const) {
      expect(
        resolveDefaultPrincipal({ ...base, config: { principal }, transport, policyFile: true }),
      ).toEqual({
        principal,
        source: 'config',
      });
    }
  });

  it("the config file's settings.defaultPrincipal wins over a policy file and the local user", () => {
    const settings = parseSettings({
      ...DEFAULT_SETTINGS,
      defaultPrincipal: { id: 'ops', tier: 'standard' },
    });
    const r = resolveDefaultPrincipal({
      ...base,
      settings,
      config: { settingsOverrides: { defaultPrincipal: { id: 'ops', tier: 'standard' } } },
      policyFile: true,
      transport: 'stdio',
    });
    expect(r).toEqual({ principal: { id: 'ops', tier: 'standard' }, source: 'config-settings' });
  });

  it("a policy file's default principal wins over the local user", () => {
    const settings = parseSettings({
      ...DEFAULT_SETTINGS,
      defaultPrincipal: { id: 'team', tier: 'untrusted' },
    });
    const r = resolveDefaultPrincipal({
      ...base,
      settings,
      config: {},
      policyFile: true,
      transport: 'stdio',
    });
    expect(r).toEqual({ principal: { id: 'team', tier: 'untrusted' }, source: 'policy' });
  });

  it('a tier table without a trusted tier leaves the local user at the settings default', () => {
    const settings = parseSettings({
      tiers: DEFAULT_SETTINGS.tiers.filter((t) => t.name !== 'trusted'),
      tools: [],
      defaultPrincipal: { id: 'anonymous', tier: 'standard' },
    });
    const r = resolveDefaultPrincipal({ ...base, settings, config: {}, transport: 'stdio' });
    expect(r.principal).toEqual({ id: 'anonymous', tier: 'standard' });
  });

  it('names the local user from the operating system, falling back to the environment', () => {
    expect(localUserName()).not.toBe('');
  });
});
