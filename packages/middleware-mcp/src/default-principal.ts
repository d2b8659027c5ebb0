import { userInfo } from 'node:os';
import type { GateSettings, Principal } from '@governed-mcp/core';

/** The tier of the local user who launched a stdio proxy, when the tier table defines it. */
export const LOCAL_USER_TIER = 'trusted';

/** Where the principal of unauthenticated sessions came from, most explicit first. */
export type PrincipalSource =
  /** `principal` in the configuration file. */
  | 'config'
  /** `settings.defaultPrincipal` in the configuration file. */
  | 'config-settings'
  /** The `default principal` of a policy file given with `--policy` or `policy`. */
  | 'policy'
  /** Over stdio: the operating-system user who launched the proxy. */
  | 'local-user'
  /** Over HTTP without tokens (nobody identified): the settings' least-privilege default. */
  | 'unidentified';

/** The principal of sessions nobody authenticated, and why it is that one. */
export interface ResolvedPrincipal {
  readonly principal: Principal;
  readonly source: PrincipalSource;
}

/** What decides the default principal. */
export interface PrincipalInputs {
  /** The configuration's explicit choices: a principal, or settings overrides that name a default. */
  readonly config: {
    readonly principal?: Principal | undefined;
    readonly settingsOverrides?: Readonly<Record<string, unknown>> | undefined;
  };
  /** The settings in force (policy or default constitution, with the config's overrides). */
  readonly settings: GateSettings;
  /** True when a policy file was given (its `default principal` is then a deliberate choice). */
  readonly policyFile: boolean;
  readonly transport: 'stdio' | 'http';
  /** The local user's name; default the operating system's. */
  readonly user?: string;
}

/** The name of the operating-system user running this process (never throws). */
export function localUserName(env: NodeJS.ProcessEnv = process.env): string {
  try {
    const name = userInfo().username;
    if (name !== '') return name;
  } catch {
    // No passwd entry (some containers): fall back to the environment, then the uid.
  }
  return env.USER ?? env.LOGNAME ?? env.USERNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
}

/**
 * Decides the principal of sessions that carry no bearer token. Precedence, first that applies:
 *
 * 1. `principal` in the configuration file;
 * 2. `settings.defaultPrincipal` in the configuration file;
 * 3. the `default principal` of a policy file (a policy that declares none gets the core default,
 *    `anonymous`/`standard`: writing a policy opts out of the local-user default);
 * 4. over stdio, the local user who launched the proxy: `local:<user>` with tier `trusted` (when the
 *    tier table has it), so a server's ordinary work (writes included) passes, while every deny
 *    rule, the pre-filter and the semantic gate still apply;
 * 5. over HTTP, the built-in constitution's least-privilege default (`anonymous`/`standard`).
 * @example
 * resolveDefaultPrincipal({ config, settings, policyFile: false, transport: 'stdio', user: 'dev' });
 * // { principal: { id: 'local:dev', tier: 'trusted' }, source: 'local-user' }
 */
export function resolveDefaultPrincipal(i: PrincipalInputs): ResolvedPrincipal {
  if (i.config.principal !== undefined) return { principal: i.config.principal, source: 'config' };
  if (i.config.settingsOverrides?.defaultPrincipal !== undefined) {
    return { principal: i.settings.defaultPrincipal, source: 'config-settings' };
  }
  if (i.policyFile) return { principal: i.settings.defaultPrincipal, source: 'policy' };
  if (i.transport === 'stdio' && i.settings.tiers.some((t) => t.name === LOCAL_USER_TIER)) {
    return {
      principal: { id: `local:${i.user ?? localUserName()}`, tier: LOCAL_USER_TIER },
      source: 'local-user',
    };
  }
  return { principal: i.settings.defaultPrincipal, source: 'unidentified' };
}
