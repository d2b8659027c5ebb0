import type { ToolAnnotations, ToolCall } from '../call.js';
import type { JsonObject } from '../json.js';
import { compileToolGlob } from '../names/tool-name.js';
import { classifyTool } from '../session/capabilities.js';
import type { GateSettings, ProbeStrictness, RateLimitSpec, TierProfile, ToolRule } from '../settings.js';
import { BoundedCache } from './bounded-cache.js';
import { classMask, classRank } from './class-ranks.js';
import { LayerCode } from './codes.js';

/**
 * The tier a tool requires when no rule in `settings.tools` names one, derived from its MCP
 * annotations (raised by its capability classes: see `CLASS_RANKS`). Values are ranks in the tier
 * table (0 = least trusted), clamped to the table's top. Annotations come from the server and are
 * hints only: a rule in the settings always wins.
 *
 * | annotations                                    | rank | default table |
 * |------------------------------------------------|------|---------------|
 * | readOnlyHint, openWorldHint not true           | 0    | untrusted     |
 * | readOnlyHint and openWorldHint: true           | 1    | standard      |
 * | none, or destructiveHint: false                | 1    | standard      |
 * | destructiveHint: true, or openWorldHint: true  | 2    | trusted       |
 */
export const ANNOTATION_RANKS = Object.freeze({
  readOnly: 0,
  readOnlyOpenWorld: 1,
  unannotated: 1,
  destructiveOrOpenWorld: 2,
});

/** One token bucket a call draws from; `key` is unique per principal within one store. */
export interface BucketPlan {
  readonly scope: 'tool' | 'principal' | 'rule';
  readonly key: string;
  readonly capacity: number;
  readonly refillPerSec: number;
}

/** One concurrency cap a call holds a slot of while it is being decided. */
export interface ConcurrencyPlan {
  readonly scope: 'principal' | 'rule';
  readonly key: string;
  readonly limit: number;
}

/** What the rate-limit layer enforces for one call. */
export interface RateLimitPlan {
  readonly buckets: readonly BucketPlan[];
  readonly concurrency: readonly ConcurrencyPlan[];
}

/** How strict the layers after the tier check are for one call: the tool's tier row plus overrides. */
export interface StrictnessProfile {
  /** The tier whose row applies (the tool's required tier). */
  readonly tier: string;
  readonly prefilterBlock: TierProfile['prefilterBlock'];
  readonly probe: ProbeStrictness;
  readonly rateLimit: RateLimitPlan;
}

/** What the tier layer records for later layers (`TIER_FACT`). */
export interface TierFact {
  readonly principalTier: string;
  readonly principalRank: number;
  readonly requiredTier: string;
  readonly requiredRank: number;
  /** Where the requirement came from: a rule in the settings, the tool's annotations or its classes. */
  readonly source: 'rule' | 'annotations' | 'classes';
  readonly profile: StrictnessProfile;
}

/** A tier resolution: the fact, or why none exists (an unknown principal tier). */
export type TierResolution =
  | { readonly ok: true; readonly fact: TierFact }
  | { readonly ok: false; readonly code: string; readonly detail: string; readonly data: JsonObject };

/** Resolves tiers and strictness for calls; results are cached per (server, tool, hints, tier). */
export interface TierTable {
  readonly tiers: readonly string[];
  resolve(call: ToolCall): TierResolution;
}

interface CompiledRule {
  readonly index: number;
  readonly rule: ToolRule;
  readonly name: (s: string) => boolean;
  readonly server: ((s: string) => boolean) | undefined;
  /** The rule's classes as a bit mask (bit i: `CAPABILITY_CLASSES[i]`); 0 when it names none. */
  readonly classes: number;
}

function annotationRank(a: ToolAnnotations | undefined): number {
  if (a === undefined) return ANNOTATION_RANKS.unannotated;
  if (a.readOnlyHint === true) {
    return a.openWorldHint === true ? ANNOTATION_RANKS.readOnlyOpenWorld : ANNOTATION_RANKS.readOnly;
  }
  if (a.destructiveHint === true || a.openWorldHint === true) return ANNOTATION_RANKS.destructiveOrOpenWorld;
  return ANNOTATION_RANKS.unannotated;
}

function hintKey(a: ToolAnnotations | undefined): number {
  if (a === undefined) return 0;
  const tri = (v: boolean | undefined): number => (v === undefined ? 0 : v ? 1 : 2);
  return 1 + tri(a.readOnlyHint) * 9 + tri(a.destructiveHint) * 3 + tri(a.openWorldHint);
}

/** The first matching rule that sets a field decides it (rules are read top to bottom, field by field). */
function firstSet<K extends keyof ToolRule>(
  rules: readonly CompiledRule[],
  field: K,
): ToolRule[K] | undefined {
  for (const r of rules) if (r.rule[field] !== undefined) return r.rule[field];
  return undefined;
}

function ratePlan(
  call: ToolCall,
  rules: readonly CompiledRule[],
  toolRow: TierProfile,
  principalRow: TierProfile,
): RateLimitPlan {
  const buckets: BucketPlan[] = [];
  const concurrency: ConcurrencyPlan[] = [];
  const toolBucket =
    rules.find((r) => r.rule.rateLimit?.perPrincipalTool !== undefined)?.rule.rateLimit?.perPrincipalTool ??
    toolRow.rateLimit.perPrincipalTool;
  if (toolBucket !== undefined) {
    buckets.push({ scope: 'tool', key: `t\u0000${call.server ?? ''}\u0000${call.tool.name}`, ...toolBucket });
  }
  for (const r of rules) {
    const spec: RateLimitSpec | undefined = r.rule.rateLimit;
    if (spec?.perPrincipal !== undefined)
      buckets.push({ scope: 'rule', key: `r${r.index}`, ...spec.perPrincipal });
    if (spec?.maxConcurrent !== undefined) {
      concurrency.push({ scope: 'rule', key: `r${r.index}`, limit: spec.maxConcurrent });
    }
  }
  if (principalRow.rateLimit.perPrincipal !== undefined) {
    buckets.push({ scope: 'principal', key: 'p', ...principalRow.rateLimit.perPrincipal });
  }
  if (principalRow.rateLimit.maxConcurrent !== undefined) {
    concurrency.push({ scope: 'principal', key: 'p', limit: principalRow.rateLimit.maxConcurrent });
  }
  return { buckets, concurrency };
}

/**
 * Builds the tier table of `settings` (already parsed with `parseSettings`). Globs are compiled once
 * here (with `compileToolGlob`, so `Run-Shell` meets a rule for `run_shell`); a call costs one cache
 * lookup once its tool has been seen. Throws when a glob cannot compile.
 *
 * A rule applies to a call when its glob matches the tool's name, its server (if any) the call's, and
 * its classes (if any) share one with the tool's (`call.capabilities`, else `classifyTool(call.tool)`).
 * Applying rules are read top to bottom, field by field: the first that sets a field decides it. A
 * class rule has no precedence of its own: it stands where it was written, like a `*` glob rule.
 */
export function createTierTable(settings: GateSettings, options: { cacheSize?: number } = {}): TierTable {
  const rows = settings.tiers;
  const rank = new Map<string, number>(rows.map((t, i) => [t.name, i]));
  const rules: CompiledRule[] = settings.tools.map((rule, index) => ({
    index,
    rule,
    // The same engine and name rule as the policy's `tool glob`: case, separators and lookalikes aside.
    name: compileToolGlob(rule.match),
    server: rule.server === undefined ? undefined : compileToolGlob(rule.server),
    classes: rule.classes === undefined ? 0 : classMask(rule.classes),
  }));
  const cache = new BoundedCache<string, TierResolution>(options.cacheSize ?? 4096);

  function compute(call: ToolCall, classes: number): TierResolution {
    const principalTier = call.principal.tier;
    const principalRank = rank.get(principalTier);
    if (principalRank === undefined) {
      return {
        ok: false,
        code: LayerCode.TierUnknown,
        detail: `principal tier '${principalTier}' is not one of: ${rows.map((t) => t.name).join(', ')}`,
        data: { principalTier },
      };
    }
    const server = call.server ?? '';
    const matching = rules.filter(
      (r) =>
        r.name(call.tool.name) &&
        (r.server === undefined || (call.server !== undefined && r.server(server))) &&
        (r.classes === 0 || (r.classes & classes) !== 0),
    );
    const ruleTier = firstSet(matching, 'tier');
    const byAnnotations = annotationRank(call.tool.annotations);
    const byClasses = classRank(classes);
    const requiredRank =
      ruleTier !== undefined
        ? (rank.get(ruleTier) as number)
        : Math.min(Math.max(byAnnotations, byClasses), rows.length - 1);
    const toolRow = rows[requiredRank] as TierProfile;
    const probeOverride = firstSet(matching, 'probe');
    const profile: StrictnessProfile = {
      tier: toolRow.name,
      prefilterBlock: firstSet(matching, 'prefilterBlock') ?? toolRow.prefilterBlock,
      probe:
        probeOverride === undefined
          ? toolRow.probe
          : {
              enabled: probeOverride.enabled ?? toolRow.probe.enabled,
              alpha: probeOverride.alpha ?? toolRow.probe.alpha,
              threshold: probeOverride.threshold ?? toolRow.probe.threshold,
            },
      rateLimit: ratePlan(call, matching, toolRow, rows[principalRank] as TierProfile),
    };
    return {
      ok: true,
      fact: {
        principalTier,
        principalRank,
        requiredTier: toolRow.name,
        requiredRank,
        source: ruleTier !== undefined ? 'rule' : byClasses > byAnnotations ? 'classes' : 'annotations',
        profile,
      },
    };
  }

  // Fast path: tool definitions are long-lived objects (one per tools/list), so a call usually costs
  // a WeakMap lookup and three small Map lookups, without building a key string.
  const byTool = new WeakMap<object, Map<string, Map<number, Map<string, TierResolution>>>>();

  function slow(call: ToolCall): TierResolution {
    // Classes come from the whole definition (description, schema), so they are part of the key.
    const classes = classMask(call.capabilities ?? classifyTool(call.tool));
    const key = `${call.server ?? ''}\u0000${call.tool.name}\u0000${hintKey(call.tool.annotations)}\u0000${classes}\u0000${call.principal.tier}`;
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = compute(call, classes);
      cache.set(key, hit);
    }
    return hit;
  }

  return {
    tiers: rows.map((t) => t.name),
    resolve(call) {
      let servers = byTool.get(call.tool);
      if (servers === undefined) {
        servers = new Map();
        byTool.set(call.tool, servers);
      }
      const server = call.server ?? '';
      let masks = servers.get(server);
      if (masks === undefined) {
        if (servers.size >= 64) servers.clear();
        masks = new Map();
        servers.set(server, masks);
      }
      // A definition's inferred classes are fixed (-1); classes a caller passes may differ per call.
      const mask = call.capabilities === undefined ? -1 : classMask(call.capabilities);
      let tiers = masks.get(mask);
      if (tiers === undefined) {
        tiers = new Map();
        masks.set(mask, tiers);
      }
      let hit = tiers.get(call.principal.tier);
      if (hit === undefined) {
        hit = slow(call);
        // Unknown tiers are attacker-chosen strings: keep the per-tool map small.
        if (tiers.size >= 64) tiers.clear();
        tiers.set(call.principal.tier, hit);
      }
      return hit;
    },
  };
}
