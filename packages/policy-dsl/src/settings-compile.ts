import {
  compileToolGlob,
  DEFAULT_SETTINGS,
  DETECTOR_IDS,
  type GateSettings,
  GateSettingsSchema,
  type ProbeStrictness,
  type RateLimitSpec,
  SCAN_LIMIT,
  type TierProfile,
  type ToolRule,
} from '@governed-mcp/core';
import type { DefaultPrincipalStatement, Setting, Span, TierBlock, ToolBlock } from './ast.js';
import { didYouMean, PolicyErrorCode, type Severity } from './diagnostics.js';

/** Reports a problem at a span of the statement's own file. */
export type Reporter = (span: Span, code: PolicyErrorCode, message: string, severity?: Severity) => void;

/** A statement with the reporter of the file it came from. */
export interface Located<T> {
  readonly node: T;
  readonly report: Reporter;
}

const FALLBACK_TIER = DEFAULT_SETTINGS.tiers.find((t) => t.name === 'standard')!;

/** The tier names a policy declares (least trusted first), or the default table's when it declares none. */
export function tierNames(tiers: readonly Located<TierBlock>[]): string[] {
  return tiers.length === 0 ? DEFAULT_SETTINGS.tiers.map((t) => t.name) : tiers.map((t) => t.node.name);
}

/**
 * Builds the gate's settings from `tier`, `tool` and `default principal` statements. A declared tier
 * starts from the default profile of the same name (or `standard`'s) and the block overrides it;
 * declaring any tier replaces the default table, in declaration order. A `tool class …` block becomes
 * a rule `{ match: '*', classes }`; tool rules keep the order of their blocks.
 */
export function compileSettings(
  tiers: readonly Located<TierBlock>[],
  tools: readonly Located<ToolBlock>[],
  principal: Located<DefaultPrincipalStatement> | undefined,
  fallback: Reporter,
): GateSettings | undefined {
  const names = tierNames(tiers);
  let failed = false;
  const seen = new Set<string>();
  const profiles: TierProfile[] = [];
  for (const { node, report } of tiers) {
    if (seen.has(node.name)) {
      report(node.span, PolicyErrorCode.Duplicate, `tier '${node.name}' is declared twice`);
      failed = true;
    }
    seen.add(node.name);
    if (!/^[a-z][a-z0-9_-]*$/.test(node.name)) {
      report(
        node.span,
        PolicyErrorCode.TypeMismatch,
        `tier names are lower case letters, digits, - and _ starting with a letter`,
      );
      failed = true;
    }
    const base = DEFAULT_SETTINGS.tiers.find((t) => t.name === node.name) ?? FALLBACK_TIER;
    const applied = apply(base, node.settings);
    checkDetectors(node.settings, report);
    profiles.push({
      name: node.name,
      prefilterBlock: applied.prefilterBlock ?? base.prefilterBlock,
      probe: applied.probe,
      rateLimit: applied.rateLimit,
    });
  }
  const rules: ToolRule[] = [];
  for (const { node, report } of tools) {
    // The tier table compiles these globs when the gate starts; a bad one is reported here instead.
    for (const glob of node.server === undefined ? [node.match] : [node.match, node.server]) {
      const problem = globProblem(glob);
      if (problem === undefined) continue;
      report(node.span, PolicyErrorCode.InvalidGlob, `invalid glob "${glob}": ${problem}`);
      failed = true;
    }
    const applied = apply(undefined, node.settings);
    checkDetectors(node.settings, report);
    let tier: string | undefined;
    for (const s of node.settings) {
      if (s.kind !== 'require-tier') continue;
      if (!names.includes(s.tier)) {
        report(
          s.span,
          PolicyErrorCode.UnknownTier,
          `unknown tier '${s.tier}'; tiers are ${names.join(', ')}`,
        );
        failed = true;
      }
      tier = s.tier;
    }
    rules.push({
      match: node.match,
      ...(node.server === undefined ? {} : { server: node.server }),
      ...(node.classes === undefined ? {} : { classes: [...node.classes] }),
      ...(tier === undefined ? {} : { tier }),
      ...(applied.touchedRate ? { rateLimit: applied.rateLimit } : {}),
      ...(applied.touchedProbe ? { probe: applied.probePartial } : {}),
      ...(applied.prefilterBlock === undefined ? {} : { prefilterBlock: applied.prefilterBlock }),
    });
  }
  const defaultPrincipal =
    principal === undefined
      ? DEFAULT_SETTINGS.defaultPrincipal
      : { id: principal.node.id, tier: principal.node.tier };
  if (!names.includes(defaultPrincipal.tier)) {
    const message = `the default principal's tier '${defaultPrincipal.tier}' is not declared; tiers are ${names.join(', ')}`;
    if (principal !== undefined) principal.report(principal.node.span, PolicyErrorCode.UnknownTier, message);
    else if (tiers[0] !== undefined)
      tiers[0].report(
        tiers[0].node.span,
        PolicyErrorCode.UnknownTier,
        `${message} (add: default principal "anonymous" tier NAME)`,
      );
    failed = true;
  }
  if (failed) return undefined;
  const settings = {
    tiers: profiles.length > 0 ? profiles : DEFAULT_SETTINGS.tiers,
    tools: rules,
    defaultPrincipal,
  };
  const parsed = GateSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const at = tiers[0] ?? tools[0];
    const where: Reporter = at?.report ?? fallback;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    where(
      at?.node.span ?? { line: 1, col: 1, length: 1 },
      PolicyErrorCode.InvalidSettings,
      `the settings are not valid: ${issues}`,
    );
    return undefined;
  }
  return parsed.data;
}

/** Why a tool or server glob cannot compile, or undefined when it can. */
function globProblem(glob: string): string | undefined {
  try {
    compileToolGlob(glob);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const KNOWN_DETECTORS: readonly string[] = [...DETECTOR_IDS, SCAN_LIMIT];

/**
 * Warns about pre-filter detector names that no built-in detector has. A warning, not an error:
 * a deployment may register detectors of its own under other names.
 */
function checkDetectors(settings: readonly Setting[], report: Reporter): void {
  for (const s of settings) {
    if (s.kind !== 'prefilter' || typeof s.block === 'string') continue;
    for (const name of s.block) {
      if (KNOWN_DETECTORS.includes(name)) continue;
      const hint = didYouMean(name, KNOWN_DETECTORS);
      report(
        s.span,
        PolicyErrorCode.UnknownField,
        `unknown pre-filter detector '${name}'${hint}; built-in detectors are ${KNOWN_DETECTORS.join(', ')}`,
        'warning',
      );
    }
  }
}

interface Applied {
  probe: ProbeStrictness;
  probePartial: Partial<ProbeStrictness>;
  touchedProbe: boolean;
  rateLimit: RateLimitSpec;
  touchedRate: boolean;
  prefilterBlock: TierProfile['prefilterBlock'] | undefined;
}

function apply(base: TierProfile | undefined, settings: readonly Setting[]): Applied {
  const out: Applied = {
    probe: { ...(base?.probe ?? FALLBACK_TIER.probe) },
    probePartial: {},
    touchedProbe: false,
    rateLimit: { ...(base?.rateLimit ?? {}) },
    touchedRate: false,
    prefilterBlock: base?.prefilterBlock,
  };
  for (const s of settings) {
    if (s.kind === 'prefilter') out.prefilterBlock = s.block;
    else if (s.kind === 'probe') {
      out.touchedProbe = true;
      if (s.enabled !== undefined) out.probe.enabled = out.probePartial.enabled = s.enabled;
      if (s.alpha !== undefined) out.probe.alpha = out.probePartial.alpha = s.alpha;
      if (s.threshold !== undefined) out.probe.threshold = out.probePartial.threshold = s.threshold;
    } else if (s.kind === 'limit') {
      out.touchedRate = true;
      const bucket = { capacity: s.capacity, refillPerSec: s.refillPerSec };
      if (s.scope === 'per-tool') out.rateLimit.perPrincipalTool = bucket;
      else out.rateLimit.perPrincipal = bucket;
    } else if (s.kind === 'concurrent') {
      out.touchedRate = true;
      out.rateLimit.maxConcurrent = s.max;
    }
  }
  return out;
}
