import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_SETTINGS,
  ErrorCode,
  type GateSettings,
  GovernedError,
  type Principal,
  parseSettings,
} from '@governed-mcp/core';
import { CANONICAL_LAYERS, LAYER_CONFIGURATIONS } from '@governed-mcp/middleware-mcp';
import { type CompiledPolicy, gateSettingsOf } from '@governed-mcp/policy-dsl';
import { PROBE_SERVER_KINDS } from '@governed-mcp/probe';
import { z } from 'zod';

/**
 * The proxy's configuration file (JSON). Parsed once at start-up; every problem is reported at once
 * with its path, and the runner refuses to start (exit 2) rather than run half-configured.
 */

const PrincipalSchema = z.strictObject({ id: z.string().min(1), tier: z.string().min(1) });

/** One bearer token accepted on the HTTP listener, and who it stands for. */
export const TokenEntrySchema = z
  .strictObject({
    /** The token itself (avoid: prefer `tokenEnv` or `tokenSha256`). */
    token: z.string().min(16).optional(),
    /** Hex SHA-256 of the token, so the file holds no secret. */
    tokenSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i)
      .optional(),
    /** Name of an environment variable of the runner that holds the token. */
    tokenEnv: z.string().min(1).optional(),
    principal: PrincipalSchema,
  })
  .refine((t) => [t.token, t.tokenSha256, t.tokenEnv].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of token, tokenSha256, tokenEnv',
  });

/** Size, time and count limits of the runner. */
export const LimitsSchema = z.strictObject({
  /** Largest frame (one JSON-RPC message or batch) in bytes, either direction. */
  maxFrameBytes: z
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Deepest JSON nesting accepted in a frame. */
  maxDepth: z.number().int().min(4).default(64),
  /** Most messages in one batch. */
  maxBatch: z.number().int().min(1).default(32),
  /** How long a forwarded request may wait for the upstream before it fails closed. */
  upstreamTimeoutMs: z.number().int().positive().default(60_000),
  /** Most concurrent downstream HTTP sessions; the least recently used idle one makes room. */
  maxSessions: z.number().int().positive().default(64),
  /** Most concurrent HTTP sessions of one principal. */
  maxSessionsPerPrincipal: z.number().int().positive().default(16),
  /** HTTP sessions idle this long are closed (with their upstream). */
  sessionIdleMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** Most requests in flight per session; more are refused. */
  maxPending: z.number().int().positive().default(256),
  /** Bytes queued for a slow stdio client before the runner stops reading from it. */
  maxQueuedBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
});

/** Where the runner forwards to. Credentials for the upstream live here or in the runner's env only. */
export const UpstreamSchema = z.strictObject({
  /** The upstream server's name, used in tool pins and audit records. */
  name: z.string().min(1).optional(),
  url: z.url().optional(),
  /** Static headers sent to an HTTP upstream. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Headers whose values come from the runner's environment: header name -> variable name. */
  headersFromEnv: z.record(z.string(), z.string()).default({}),
  /** Command and arguments of a child upstream (the CLI's `-- CMD ARGS…` takes precedence). */
  command: z.array(z.string()).min(1).optional(),
  /** Extra environment for the child, on top of a minimal safe environment. */
  env: z.record(z.string(), z.string()).default({}),
  /** Names of runner environment variables passed through to the child. */
  envPassthrough: z.array(z.string()).default([]),
  cwd: z.string().optional(),
  /** Run a stdio child under bubblewrap: only `writable` is writable, no network unless `shared`. */
  sandbox: z
    .strictObject({
      writable: z.array(z.string().min(1)).default([]),
      readOnly: z.array(z.string().min(1)).default([]),
      network: z.enum(['none', 'shared']).default('none'),
    })
    .optional(),
  /** Restart a crashed child, at most `maxRestarts` times per `windowMs`. */
  restart: z
    .strictObject({
      maxRestarts: z.number().int().min(0).default(3),
      windowMs: z.number().int().positive().default(60_000),
    })
    .default({ maxRestarts: 3, windowMs: 60_000 }),
});

/** Requests mediated besides `tools/call` (which always is). */
export const MediatedSchema = z.strictObject({
  resourcesRead: z.boolean().default(true),
  promptsGet: z.boolean().default(true),
  sampling: z.boolean().default(true),
  elicitation: z.boolean().default(true),
});

/**
 * A user's layer loaded from a module and run in the pipeline next to a built-in layer. The export is a
 * Layer or a factory `(options) => Layer | Promise<Layer>`; see `runner/custom-layers.ts`.
 */
export const CustomLayerEntrySchema = z
  .strictObject({
    /** The module's file (`.mjs`/`.js`), relative to the configuration file. */
    module: z.string().min(1),
    /** The export to use. */
    export: z.string().min(1).default('default'),
    /** Run just before this built-in layer (where it would run, if the layer set leaves it out). */
    before: z.enum(CANONICAL_LAYERS).optional(),
    /** Run just after this built-in layer. */
    after: z.enum(CANONICAL_LAYERS).optional(),
    /** Passed to a factory export; refused for a layer export. */
    options: z.record(z.string(), z.unknown()).optional(),
    /** The layer's own time budget in ms (replaces the module's); past it the call is denied. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .refine((e) => (e.before === undefined) !== (e.after === undefined), {
    message: 'give exactly one of before, after',
  });

/** The whole configuration file. */
export const ProxyConfigSchema = z.strictObject({
  principal: PrincipalSchema.optional(),
  tokens: z.array(TokenEntrySchema).default([]),
  /** Overrides of the gate settings: each top-level key replaces the default's. */
  settings: z.record(z.string(), z.unknown()).optional(),
  policy: z.string().optional(),
  audit: z
    .strictObject({
      path: z.string().min(1),
      // fsync: a call proceeds only once its decision record is on disk; concurrent calls share one sync.
      durability: z.enum(['fsync', 'group', 'write', 'none']).default('fsync'),
      arguments: z.enum(['digest', 'full']).default('digest'),
      // next: an outcome record joins the next commit (a crash can lose the last ~10 ms of outcomes).
      outcomes: z.enum(['next', 'durable']).default('next'),
      // Signed checkpoints of the chain (docs/audit-format.md, "Signed checkpoints").
      checkpoint: z
        .strictObject({
          key: z.string().min(1),
          every: z.number().int().positive().default(1000),
          everyMs: z.number().int().positive().default(60_000),
          out: z.string().min(1).optional(),
          witness: z
            .strictObject({ dir: z.string().min(1).optional(), url: z.url().optional() })
            .refine((w) => w.dir !== undefined || w.url !== undefined, 'a witness needs dir or url')
            .optional(),
        })
        .optional(),
    })
    .optional(),
  /**
   * The pin file (approved tool fingerprints, kept across restarts). Default: `<audit path>.pins.json`;
   * without an audit file pins live in memory only. Re-approve a changed tool by deleting its entry.
   */
  pins: z.string().min(1).optional(),
  limits: LimitsSchema.default(LimitsSchema.parse({})),
  upstream: UpstreamSchema.default(UpstreamSchema.parse({})),
  mediate: MediatedSchema.default(MediatedSchema.parse({})),
  /** Host names the HTTP listener accepts in Host/Origin (DNS-rebinding protection); loopback by default. */
  http: z
    .strictObject({
      allowedHosts: z.array(z.string().min(1)).default([]),
      /** Serve a non-loopback address without bearer tokens (every client gets `principal`). */
      allowAnonymous: z.boolean().default(false),
    })
    .default({ allowedHosts: [], allowAnonymous: false }),
  redaction: z.enum(['redact', 'block', 'off']).default('redact'),
  /** Tool results carrying instructions addressed to the agent: marked (default), quarantined or withheld. */
  resultInstructions: z.enum(['mark', 'quarantine', 'withhold']).default('mark'),
  layers: z.enum(LAYER_CONFIGURATIONS).default('no-probe'),
  /** The user's own layers, each placed next to a built-in one; loaded at start-up. */
  customLayers: z.array(CustomLayerEntrySchema).default([]),
  probe: z
    .strictObject({
      model: z.string().optional(),
      url: z.url().optional(),
      /** Which server `url` is: llama.cpp's llama-server (default), vllm or llama-cpp-python. */
      kind: z.enum(PROBE_SERVER_KINDS).optional(),
      /** The model name a vLLM server serves (the `model` field of its requests). */
      servedModel: z.string().min(1).optional(),
      /** Most time one probe may take, in ms (the call's deadline still caps it). Default 2000. */
      timeoutMs: z.number().int().min(1).max(60_000).optional(),
      /** Calibration strength for every tier, over the tiers' profiles (the model's measured point). */
      alpha: z.number().min(0).max(1).optional(),
      /** Danger threshold for every tier, over the tiers' profiles (the model's measured point). */
      threshold: z.number().gt(0).lt(1).optional(),
      /** Ask the probe about every tool result the deterministic judgement passed. Default false. */
      results: z.boolean().default(false),
      /** Ask the probe about every tool definition the poisoning scan passed (once each). Default false. */
      definitions: z.boolean().default(false),
    })
    .refine((p) => p.kind !== 'vllm' || p.servedModel !== undefined, {
      message: 'probe.kind vllm needs probe.servedModel, the model name the server serves',
      path: ['servedModel'],
    })
    .refine((p) => (p.kind === undefined && p.servedModel === undefined) || p.url !== undefined, {
      message: 'probe.kind and probe.servedModel describe probe.url, which is missing',
      path: ['url'],
    })
    .optional(),
  /** Where rate limits are kept: this process (default) or a Redis server shared by every replica. */
  rateLimitStore: z
    .strictObject({
      kind: z.enum(['memory', 'redis']).default('memory'),
      url: z
        .string()
        .regex(/^rediss?:\/\/./, 'a redis:// or rediss:// URL')
        .optional(),
      prefix: z.string().min(1).default('governed-mcp:rl:'),
      timeoutMs: z.number().int().min(1).max(10_000).default(50),
    })
    .refine((s) => (s.kind === 'redis') === (s.url !== undefined), {
      message: 'required with kind redis, and allowed only with it',
      path: ['url'],
    })
    .default({ kind: 'memory', prefix: 'governed-mcp:rl:', timeoutMs: 50 }),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).default({
    level: 'info',
  }),
});

/** The configuration file as written. */
export type ProxyConfigInput = z.input<typeof ProxyConfigSchema>;
/** Runner limits. */
export type RunnerLimits = z.infer<typeof LimitsSchema>;
/** One `customLayers` entry after parsing; `module` is an absolute path once resolved. */
export type CustomLayerEntry = z.infer<typeof CustomLayerEntrySchema>;
/** Upstream options from the file. */
export type UpstreamConfig = z.infer<typeof UpstreamSchema>;

/** A bearer token resolved to its SHA-256 and principal. */
export interface TokenBinding {
  readonly sha256: string;
  readonly principal: Principal;
}

/** The parsed, resolved configuration the runner uses. */
export interface ProxyConfig extends Omit<z.infer<typeof ProxyConfigSchema>, 'settings' | 'tokens'> {
  /** The default settings with the file's overrides; see `settingsOver` for a policy's settings. */
  readonly settings: GateSettings;
  /** The file's top-level settings overrides as written (validated when applied). */
  readonly settingsOverrides?: Readonly<Record<string, unknown>>;
  readonly tokens: readonly TokenBinding[];
}

/**
 * The settings the gate runs with: the policy's settings with the config file's top-level overrides
 * on top, merged by `gateSettingsOf` (the one rule for every place a policy is loaded, so overrides
 * never drop the policy's `require tier` rules). Throws GovernedError('invalid_config') when the
 * result is invalid or a configured principal names a tier it does not define.
 */
export function settingsOver(policy: Pick<CompiledPolicy, 'settings'>, config: ProxyConfig): GateSettings {
  const settings = gateSettingsOf(policy, config.settingsOverrides);
  const tiers = new Set(settings.tiers.map((t) => t.name));
  const bad = [
    ...(config.principal === undefined ? [] : [config.principal]),
    ...config.tokens.map((t) => t.principal),
  ].filter((p) => !tiers.has(p.tier));
  if (bad.length > 0) {
    fail(
      `principal tier${bad.length > 1 ? 's' : ''} not defined by the settings: ${bad.map((p) => `${p.id}:${p.tier}`).join(', ')}`,
    );
  }
  return settings;
}

/** Hex SHA-256 of a bearer token: the runner compares digests, never the tokens themselves. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The audit checkpoint's paths (key, out, witness folder) resolved by `at`, or nothing when unset. */
function checkpointAt(
  audit: NonNullable<z.infer<typeof ProxyConfigSchema>['audit']>,
  at: (p: string) => string,
): { checkpoint?: NonNullable<typeof audit.checkpoint> } {
  const c = audit.checkpoint;
  if (c === undefined) return {};
  const witness =
    c.witness === undefined
      ? {}
      : { witness: { ...c.witness, ...(c.witness.dir === undefined ? {} : { dir: at(c.witness.dir) }) } };
  return {
    checkpoint: { ...c, key: at(c.key), ...(c.out === undefined ? {} : { out: at(c.out) }), ...witness },
  };
}

function fail(message: string, cause?: unknown): never {
  throw new GovernedError(ErrorCode.InvalidConfig, message, { cause });
}

/**
 * Validates a configuration object; relative paths resolve against `baseDir`. Token variables are read
 * from `env`. Throws GovernedError('invalid_config') listing every problem.
 */
export function parseProxyConfig(
  input: unknown,
  baseDir: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): ProxyConfig {
  const result = ProxyConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    fail(`invalid proxy config:\n  ${lines.join('\n  ')}`);
  }
  const raw = result.data;
  // With a policy file, the policy's tiers are the base and `settingsOver` checks them at start-up.
  const deferred = raw.policy !== undefined;
  const settings = deferred
    ? DEFAULT_SETTINGS
    : parseSettings({ ...DEFAULT_SETTINGS, ...(raw.settings ?? {}) });
  const tiers = new Set(settings.tiers.map((t) => t.name));
  const problems: string[] = [];
  const checkTier = (p: Principal, where: string): void => {
    if (!deferred && !tiers.has(p.tier)) problems.push(`${where}: unknown tier '${p.tier}'`);
  };
  if (raw.principal !== undefined) checkTier(raw.principal, 'principal');
  const tokens: TokenBinding[] = raw.tokens.map((t, i) => {
    checkTier(t.principal, `tokens.${i}.principal`);
    let sha256 = t.tokenSha256?.toLowerCase();
    if (t.token !== undefined) sha256 = tokenDigest(t.token);
    if (t.tokenEnv !== undefined) {
      const value = env[t.tokenEnv];
      if (value === undefined || value.length < 16) {
        problems.push(`tokens.${i}.tokenEnv: variable ${t.tokenEnv} is unset or shorter than 16 characters`);
      } else sha256 = tokenDigest(value);
    }
    return { sha256: sha256 ?? '', principal: t.principal };
  });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.sha256 !== '' && seen.has(t.sha256)) problems.push('tokens: the same token is listed twice');
    seen.add(t.sha256);
  }
  for (const [header, name] of Object.entries(raw.upstream.headersFromEnv)) {
    if (env[name] === undefined)
      problems.push(`upstream.headersFromEnv.${header}: variable ${name} is unset`);
  }
  if (problems.length > 0) fail(`invalid proxy config:\n  ${problems.join('\n  ')}`);
  const at = (p: string): string => resolve(baseDir, p);
  return {
    ...raw,
    settings,
    ...(raw.settings === undefined ? {} : { settingsOverrides: raw.settings }),
    tokens,
    ...(raw.policy === undefined ? {} : { policy: at(raw.policy) }),
    ...(raw.audit === undefined
      ? {}
      : { audit: { ...raw.audit, path: at(raw.audit.path), ...checkpointAt(raw.audit, at) } }),
    ...(raw.pins === undefined ? {} : { pins: at(raw.pins) }),
    customLayers: raw.customLayers.map((e) => ({ ...e, module: at(e.module) })),
    upstream: {
      ...raw.upstream,
      ...(raw.upstream.cwd === undefined ? {} : { cwd: at(raw.upstream.cwd) }),
      ...(raw.upstream.sandbox === undefined
        ? {}
        : {
            sandbox: {
              ...raw.upstream.sandbox,
              writable: raw.upstream.sandbox.writable.map(at),
              readOnly: raw.upstream.sandbox.readOnly.map(at),
            },
          }),
    },
  };
}

/** Reads and validates a configuration file; paths in it are relative to the file. */
export async function loadProxyConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GovernedError(ErrorCode.Io, `cannot read config ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(`config ${path} is not valid JSON: ${(err as Error).message}`, err);
  }
  return parseProxyConfig(json, dirname(resolve(path)), env);
}
