import { z } from 'zod';
import { ErrorCode, GovernedError } from './errors.js';
import { classifyTarget } from './layers/prefilter/net/host-class.js';
import { CAPABILITY_CLASSES, type CapabilityClass } from './session-facts.js';

/**
 * The gate's settings: the tier table and the per-tool overrides that the trust-tier, rate-limit,
 * pre-filter and probe layers read. A policy file compiles into this shape; a config file may give it
 * directly. Parsed once, at construction, never per call.
 */

/** A token bucket: `capacity` calls at once, refilled at `refillPerSec`. */
export const BucketSchema = z.strictObject({
  capacity: z.number().int().positive(),
  refillPerSec: z.number().positive(),
});

/** Rate limits: per (principal, tool), per principal, and concurrent calls per principal. */
export const RateLimitSchema = z.strictObject({
  perPrincipalTool: BucketSchema.optional(),
  perPrincipal: BucketSchema.optional(),
  maxConcurrent: z.number().int().positive().optional(),
});

/** How strictly the semantic gate judges: calibration strength and the danger threshold. */
export const ProbeStrictnessSchema = z.strictObject({
  enabled: z.boolean(),
  alpha: z.number().min(0).max(1),
  threshold: z.number().gt(0).lt(1),
});

/** What one tier means for the layers after the tier check. */
export const TierProfileSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  /** Pre-filter detectors whose findings deny; the rest only record. */
  prefilterBlock: z.union([z.literal('all'), z.literal('none'), z.array(z.string()).readonly()]),
  probe: ProbeStrictnessSchema,
  rateLimit: RateLimitSchema,
});

/** One capability class, as a settings file or a policy's `tool class …` block names it. */
export const CapabilityClassSchema = z.enum(CAPABILITY_CLASSES as [CapabilityClass, ...CapabilityClass[]]);

/**
 * Settings for tools whose name matches `match` (a glob), optionally only on one server, and, when
 * `classes` is given, only for tools that have at least one of those capability classes (a policy's
 * `tool class moves-money … end` compiles to `{ match: '*', classes: ['moves-money'] }`).
 */
export const ToolRuleSchema = z.strictObject({
  match: z.string().min(1),
  server: z.string().optional(),
  /** The rule applies only to tools with at least one of these classes (`call.capabilities`). */
  classes: z.array(CapabilityClassSchema).min(1).readonly().optional(),
  /** The tier a principal needs to call the tool. */
  tier: z.string().optional(),
  rateLimit: RateLimitSchema.optional(),
  probe: ProbeStrictnessSchema.partial().optional(),
  prefilterBlock: TierProfileSchema.shape.prefilterBlock.optional(),
});

/** One loopback/private allowance: these hosts, on these ports, for principals of `minTier` and above. */
export const NetworkAllowSchema = z.strictObject({
  /** Hosts as written in URLs, compared after canonicalisation (`localhost`, `127.0.0.1`, `::1`). */
  hosts: z.array(z.string().min(1).max(253)).min(1).readonly(),
  /** Ports the allowance covers (a URL without a port uses its scheme's default, 80 for http). */
  ports: z.array(z.number().int().min(1).max(65535)).min(1).readonly(),
  minTier: z.string(),
});

/**
 * What the SSRF check lets through and how it treats names it cannot resolve. Cloud metadata
 * addresses are never allowed. Resolution failures (timeouts, SERVFAIL) deny unless
 * `onResolveFailure` is `'allow'`; a name that does not exist (NXDOMAIN) passes: nothing can connect to it.
 * @example
 * network: {
 *   allow: [{ hosts: ['localhost', '127.0.0.1', '::1'], ports: [3000, 5173], minTier: 'trusted' }],
 *   onResolveFailure: 'deny',
 * }
 */
export const NetworkSettingsSchema = z.strictObject({
  allow: z.array(NetworkAllowSchema).readonly().default([]),
  onResolveFailure: z.enum(['deny', 'allow']).default('deny'),
  /** How long one name may take to resolve before the call is denied. Default 2000 ms. */
  resolveTimeoutMs: z.number().int().positive().max(30_000).default(2000),
});

/** The whole settings object. `tiers` is ordered from least to most trusted. */
export const GateSettingsSchema = z
  .strictObject({
    tiers: z.array(TierProfileSchema).min(1).readonly(),
    tools: z.array(ToolRuleSchema).readonly(),
    defaultPrincipal: z.strictObject({ id: z.string().min(1), tier: z.string() }),
    /** Loopback/private allowances and name resolution of the SSRF check; absent: deny all, resolve fail-closed. */
    network: NetworkSettingsSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    for (const t of s.tiers) {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', message: `tier '${t.name}' is defined twice` });
      names.add(t.name);
    }
    const known = (tier: string, where: string): void => {
      if (!names.has(tier)) ctx.addIssue({ code: 'custom', message: `${where}: unknown tier '${tier}'` });
    };
    known(s.defaultPrincipal.tier, 'defaultPrincipal');
    for (const rule of s.tools)
      if (rule.tier !== undefined) known(rule.tier, `tool rule '${ruleLabel(rule)}'`);
    for (const a of s.network?.allow ?? []) {
      known(a.minTier, `network allowance for '${a.hosts.join(', ')}'`);
      for (const h of a.hosts) {
        if (classifyTarget(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h) === 'cloud_metadata') {
          ctx.addIssue({
            code: 'custom',
            message: `network allowance: '${h}' is a cloud metadata address and is never allowed`,
          });
        }
      }
    }
  });

/** How a tool rule is named in messages: its glob, and its classes when it has them. */
function ruleLabel(rule: {
  readonly match: string;
  readonly classes?: readonly string[] | undefined;
}): string {
  return rule.classes === undefined ? rule.match : `${rule.match}' class '${rule.classes.join(', ')}`;
}

/** Token bucket parameters. */
export type Bucket = z.infer<typeof BucketSchema>;
/** Rate limit parameters. */
export type RateLimitSpec = z.infer<typeof RateLimitSchema>;
/** Probe strictness. */
export type ProbeStrictness = z.infer<typeof ProbeStrictnessSchema>;
/** One tier's profile. */
export type TierProfile = z.infer<typeof TierProfileSchema>;
/** Per-tool settings. */
export type ToolRule = z.infer<typeof ToolRuleSchema>;
/** One network allowance. */
export type NetworkAllow = z.infer<typeof NetworkAllowSchema>;
/** Network settings of the SSRF check. */
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;
/** The gate's settings. */
export type GateSettings = z.infer<typeof GateSettingsSchema>;

/**
 * The default tier table, least to most trusted. Two readings of one row:
 *
 * - as the tier a *tool* requires (`prefilterBlock`, `probe`, `rateLimit.perPrincipalTool`): the riskier
 *   the operation, the stronger the calibration (alpha), the lower the danger threshold and the slower
 *   the per-tool bucket. Read-only tools require the `untrusted` row, so that row carries the fastest
 *   per-tool bucket (ordinary reading is never throttled by it); destructive tools require `trusted`
 *   and rule-named dangerous tools `privileged`, the slowest;
 * - as the tier of the *principal* (`rateLimit.perPrincipal`, `rateLimit.maxConcurrent`): the overall
 *   budget of one caller grows with trust, and bounds every tool bucket (an untrusted caller reads at
 *   most 30 at once, 2/s, however fast the read-only row is).
 *
 * | tier       | blocks (pre-filter)         | probe alpha/threshold | per tool   | per principal | concurrent |
 * |------------|-----------------------------|-----------------------|------------|---------------|------------|
 * | untrusted  | all                         | 0.5 / 0.5             | 120, 20/s  | 30, 2/s       | 4          |
 * | standard   | all                         | 0.5 / 0.5             | 60, 10/s   | 100, 20/s     | 16         |
 * | trusted    | all                         | 0.8 / 0.4             | 30, 5/s    | 300, 60/s     | 64         |
 * | privileged | all but destructive-command,| 1 / 0.3               | 10, 1/s    | 600, 120/s    | 128        |
 * |            | privilege-change (recorded) |                       |            |               |            |
 *
 * The local user who launched a stdio proxy is `trusted` by default (see the proxy's configuration
 * reference, docs/config.md); `defaultPrincipal` below is for callers nobody identified.
 */
export const DEFAULT_SETTINGS: GateSettings = Object.freeze({
  tiers: [
    {
      name: 'untrusted',
      prefilterBlock: 'all',
      probe: { enabled: true, alpha: 0.5, threshold: 0.5 },
      rateLimit: {
        perPrincipalTool: { capacity: 120, refillPerSec: 20 },
        perPrincipal: { capacity: 30, refillPerSec: 2 },
        maxConcurrent: 4,
      },
    },
    {
      name: 'standard',
      prefilterBlock: 'all',
      probe: { enabled: true, alpha: 0.5, threshold: 0.5 },
      rateLimit: {
        perPrincipalTool: { capacity: 60, refillPerSec: 10 },
        perPrincipal: { capacity: 100, refillPerSec: 20 },
        maxConcurrent: 16,
      },
    },
    {
      name: 'trusted',
      prefilterBlock: 'all',
      probe: { enabled: true, alpha: 0.8, threshold: 0.4 },
      rateLimit: {
        perPrincipalTool: { capacity: 30, refillPerSec: 5 },
        perPrincipal: { capacity: 300, refillPerSec: 60 },
        maxConcurrent: 64,
      },
    },
    {
      name: 'privileged',
      prefilterBlock: [
        'fetch-exec',
        'reverse-shell',
        'persistence',
        'credential',
        'sensitive-path',
        'path-traversal',
        'ssrf',
        'dangerous-scheme',
        'prompt-injection',
        'sql-destructive',
        'hidden-text',
      ],
      probe: { enabled: true, alpha: 1, threshold: 0.3 },
      rateLimit: {
        perPrincipalTool: { capacity: 10, refillPerSec: 1 },
        perPrincipal: { capacity: 600, refillPerSec: 120 },
        maxConcurrent: 128,
      },
    },
  ],
  tools: [],
  defaultPrincipal: { id: 'anonymous', tier: 'standard' },
});

/** Validates settings; throws GovernedError('invalid_config') listing every problem. */
export function parseSettings(input: unknown): GateSettings {
  const result = GateSettingsSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new GovernedError(ErrorCode.InvalidConfig, `invalid settings:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
