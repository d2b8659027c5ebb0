import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, isGovernedError } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { loadProxyConfig, parseProxyConfig, tokenDigest } from '../../src/config.js';
import { CUSTOM_LAYER_EXAMPLE, SPEND_LIMIT_MODULE } from '../../src/config-reference-custom-layers.js';

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isGovernedError(err, 'invalid_config')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected an invalid_config error');
}

describe('the proxy configuration', () => {
  it('defaults to the default settings, limits and redaction when empty', () => {
    const c = parseProxyConfig({});
    expect(c.settings).toEqual(DEFAULT_SETTINGS);
    expect(c.limits.maxFrameBytes).toBe(4 * 1024 * 1024);
    expect(c.redaction).toBe('redact');
    expect(c.tokens).toEqual([]);
  });

  it('reports every problem at once, with its path', () => {
    const message = problem(() =>
      parseProxyConfig({
        principal: { id: '' },
        limits: { maxFrameBytes: 10 },
        redaction: 'maybe',
        extra: 1,
      }),
    );
    expect(message).toMatch(/principal\.id/);
    expect(message).toMatch(/principal\.tier/);
    expect(message).toMatch(/limits\.maxFrameBytes/);
    expect(message).toMatch(/redaction/);
    expect(message).toMatch(/extra/);
  });

  it('refuses principals and tokens with tiers the settings do not define', () => {
    const message = problem(() =>
      parseProxyConfig({
        principal: { id: 'a', tier: 'root' },
        tokens: [{ token: 'x'.repeat(20), principal: { id: 'b', tier: 'godmode' } }],
      }),
    );
    expect(message).toMatch(/principal: unknown tier 'root'/);
    expect(message).toMatch(/tokens\.0\.principal: unknown tier 'godmode'/);
  });

  it('keeps only digests of tokens, reads them from the environment, and refuses short or duplicate ones', () => {
    const env = { GMCP_T: 'env-token-0123456789' };
    const c = parseProxyConfig(
      {
        tokens: [
          { tokenEnv: 'GMCP_T', principal: { id: 'a', tier: 'trusted' } },
          { tokenSha256: tokenDigest('another-token-0123456'), principal: { id: 'b', tier: 'standard' } },
        ],
      },
      '/',
      env,
    );
    expect(c.tokens.map((t) => t.sha256)).toEqual([
      tokenDigest(env.GMCP_T),
      tokenDigest('another-token-0123456'),
    ]);
    expect(JSON.stringify(c)).not.toContain(env.GMCP_T);
    expect(
      problem(() =>
        parseProxyConfig({ tokens: [{ token: 'short', principal: { id: 'a', tier: 'standard' } }] }),
      ),
    ).toMatch(/tokens\.0\.token/);
    expect(
      problem(() =>
        parseProxyConfig(
          { tokens: [{ tokenEnv: 'NOPE', principal: { id: 'a', tier: 'standard' } }] },
          '/',
          {},
        ),
      ),
    ).toMatch(/NOPE is unset/);
    const same = { token: 'same-token-0123456789', principal: { id: 'a', tier: 'standard' } };
    expect(problem(() => parseProxyConfig({ tokens: [same, same] }))).toMatch(/listed twice/);
    expect(
      problem(() =>
        parseProxyConfig({
          tokens: [
            { token: 'a-token-0123456789ab', tokenEnv: 'X', principal: { id: 'a', tier: 'standard' } },
          ],
        }),
      ),
    ).toMatch(/exactly one of/);
  });

  it('refuses upstream header variables that are unset, so a missing credential fails at start', () => {
    expect(
      problem(() =>
        parseProxyConfig({ upstream: { headersFromEnv: { Authorization: 'UPSTREAM_KEY' } } }, '/', {}),
      ),
    ).toMatch(/UPSTREAM_KEY is unset/);
  });

  it('resolves relative paths against the config file and reports unreadable or invalid files with a code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-config-'));
    const file = join(dir, 'proxy.json');
    writeFileSync(file, JSON.stringify({ policy: 'policy.gmcp', audit: { path: 'logs/audit.jsonl' } }));
    const c = await loadProxyConfig(file);
    expect(c.policy).toBe(join(dir, 'policy.gmcp'));
    expect(c.audit?.path).toBe(join(dir, 'logs/audit.jsonl'));
    expect(c.audit?.durability).toBe('fsync');
    writeFileSync(file, '{ not json');
    await expect(loadProxyConfig(file)).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(loadProxyConfig(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'io_error' });
  });

  it('merges settings overrides onto the defaults and validates them', () => {
    const c = parseProxyConfig({ settings: { tools: [{ match: 'write_*', tier: 'privileged' }] } });
    expect(c.settings.tiers).toEqual(DEFAULT_SETTINGS.tiers);
    expect(c.settings.tools).toEqual([{ match: 'write_*', tier: 'privileged' }]);
    expect(() => parseProxyConfig({ settings: { tools: [{ match: 'x', tier: 'nope' }] } })).toThrow(
      /unknown tier 'nope'/,
    );
  });

  it('accepts the documented example configuration', async () => {
    const file = fileURLToPath(new URL('./fixtures/proxy.example.json', import.meta.url));
    const c = await loadProxyConfig(file, { GOVERNED_MCP_TOKEN_CI: 'ci-token-0123456789abcdef' });
    expect(c.tokens.map((t) => t.principal.id)).toEqual(['ci-bot', 'reviewer']);
    expect(c.policy).toBe(join(dirname(file), 'policy.gmcp'));
    expect(c.upstream.command?.[0]).toBe('npx');
    expect(c.limits.maxSessionsPerPrincipal).toBe(8);
  });

  it('resolves custom layer modules against the config file, and documents the example it runs', async () => {
    const file = fileURLToPath(new URL('./fixtures/custom-layers.proxy.json', import.meta.url));
    const c = await loadProxyConfig(file);
    expect(c.customLayers.map((e) => e.module)).toEqual([join(dirname(file), 'layers/spend-limit.mjs')]);
    // docs/config.md prints this configuration and this module; the runner tests run them.
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(written.customLayers).toEqual(CUSTOM_LAYER_EXAMPLE.customLayers);
    const module = readFileSync(join(dirname(file), 'layers/spend-limit.mjs'), 'utf8');
    expect(module).toContain(SPEND_LIMIT_MODULE.join('\n'));
  });

  it('has no custom layers unless the file lists them', () => {
    expect(parseProxyConfig({}).customLayers).toEqual([]);
  });
});
