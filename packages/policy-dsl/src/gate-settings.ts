import {
  ErrorCode,
  type GateSettings,
  GovernedError,
  parseSettings,
  type ToolRule,
  ToolRuleSchema,
} from '@governed-mcp/core';
import type { CompiledPolicy } from './compile.js';

/** Settings written over a policy's, as a config file gives them: a partial `GateSettings`, not yet validated. */
export type SettingsOverrides = Readonly<Record<string, unknown>>;

const ToolRulesSchema = ToolRuleSchema.array();

function invalid(lines: readonly string[]): never {
  throw new GovernedError(ErrorCode.InvalidConfig, `invalid settings:\n  ${lines.join('\n  ')}`);
}

/**
 * Whether two tool rules name the same tools: the same glob, on the same server (or both on any), and
 * the same classes in any order (or both none).
 */
function sameTools(a: ToolRule, b: ToolRule): boolean {
  return a.match === b.match && a.server === b.server && sameClasses(a.classes, b.classes);
}

function sameClasses(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const set = new Set(a);
  return new Set(b).size === set.size && b.every((c) => set.has(c));
}

/** The fields an override rule sets; a field given as `undefined` sets nothing, so it cannot erase one. */
function fieldsSet(rule: ToolRule): Partial<ToolRule> {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as Partial<ToolRule>;
}

/**
 * The policy's tool rules with the overrides' merged in. A rule naming the same glob, server and
 * classes as a policy rule is merged into it field by field (the override's fields win); any other rule is added
 * after the policy's, so it never shadows them (the tier table reads rules top to bottom, field by field).
 */
function mergeToolRules(policyRules: readonly ToolRule[], overrides: unknown): ToolRule[] {
  const parsed = ToolRulesSchema.safeParse(overrides);
  if (!parsed.success) {
    invalid(parsed.error.issues.map((i) => `${['tools', ...i.path].join('.')}: ${i.message}`));
  }
  const merged = [...policyRules];
  for (const rule of parsed.data) {
    const at = policyRules.findIndex((p) => sameTools(p, rule));
    const target = at === -1 ? undefined : merged[at];
    if (target === undefined) merged.push(rule);
    else merged[at] = { ...target, ...fieldsSet(rule) };
  }
  return merged;
}

/**
 * The gate settings a policy runs with: the policy's own settings (its tiers, its `tool` blocks with
 * their `require tier`, its default principal), with `overrides` applied and the result validated.
 * The same call gets the same settings wherever a policy is loaded (in process, proxy, eval, explain).
 *
 * Merge rules: `tiers`, `defaultPrincipal` and `network` replace the policy's when given. `tools` does
 * not replace the policy's tool rules: an override rule with the same `match`, `server` and `classes`
 * (as a set) as a policy rule changes that rule's fields (so lowering a tool's required tier means naming the policy's glob
 * and setting `tier`), and every other override rule is added after the policy's rules, where it
 * cannot shadow them. A policy's `require tier` therefore holds unless an override names its rule.
 *
 * Throws GovernedError('invalid_config') when the overrides are not an object or the result is not
 * valid settings (an unknown key, a tool rule naming a tier the settings do not define).
 * @example
 * const policy = await loadPolicy('governed.policy');
 * const settings = gateSettingsOf(policy, { defaultPrincipal: { id: 'ci', tier: 'trusted' } });
 * const tier = createTierLayer(settings);
 */
export function gateSettingsOf(
  policy: Pick<CompiledPolicy, 'settings'>,
  overrides?: SettingsOverrides,
): GateSettings {
  if (overrides === undefined) return policy.settings;
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    invalid([
      `(root): expected an object of settings, got ${Array.isArray(overrides) ? 'array' : typeof overrides}`,
    ]);
  }
  const base = policy.settings;
  const { tools, ...rest } = overrides;
  return parseSettings({
    ...base,
    ...rest,
    tools: tools === undefined ? base.tools : mergeToolRules(base.tools, tools),
  });
}
