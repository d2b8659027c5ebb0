import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  canonicalJson,
  createGate,
  createPipeline,
  createTierTable,
  ErrorCode,
  GovernedError,
} from '@governed-mcp/core';
import {
  type AuditLog,
  type CheckpointWriter,
  openAuditLog,
  type PathLayerOptions,
  readSignerKeyFile,
  startCheckpoints,
} from '@governed-mcp/core/node';
import {
  assembleLayers,
  createMediator,
  type LayerConfiguration,
  openPinFile,
  type ProbeSource,
  resolveDefaultPrincipal,
  textProbeOptions,
  tierVisibility,
} from '@governed-mcp/middleware-mcp';
import { formatDiagnostic, loadPolicy, PolicyLoadError, watchPolicyFile } from '@governed-mcp/policy-dsl';
import type { Probe } from '@governed-mcp/probe';
import { type ProxyConfig, settingsOver } from '../config.js';
import { openConfiguredRateLimitStore } from '../stores/configured-store.js';
import { loadCustomLayers, placeCustomLayers } from './custom-layers.js';
import { createLogger, type LogFormat, type Logger, type LogLevel } from './log.js';
import { type ListenSpec, type Runner, startRunner } from './runner.js';
import { type SandboxOptions, verifySandboxFor } from './sandbox.js';
import { startTelemetry } from './telemetry-export.js';
import { childEnvironment, createUpstreamLink, type UpstreamLink, type UpstreamSpec } from './upstream.js';

/** What the command line adds to (and overrides in) the configuration file. */
export interface ProxyOverrides {
  readonly listen?: string;
  readonly upstreamUrl?: string;
  /** `-- CMD ARGS…` */
  readonly command?: readonly string[];
  readonly policy?: string;
  readonly audit?: string;
  /** `--config F`: the configuration file, protected from the agent like the policy and audit files. */
  readonly configPath?: string;
  /** `--pins F`: the pin file; default `<audit>.pins.json`. */
  readonly pins?: string;
  readonly layers?: LayerConfiguration;
  readonly model?: string;
  readonly probeUrl?: string;
  /** `--log-level`: over the config file's `log.level`. */
  readonly logLevel?: LogLevel;
  /** `--log-format`: default pretty when stderr is a terminal, JSON lines otherwise. */
  readonly logFormat?: LogFormat;
  /** `--sandbox …`: over the config file's `upstream.sandbox`. */
  readonly sandbox?: SandboxOptions;
}

/** A started proxy: the runner and the audit log it owns. */
export interface StartedProxy {
  readonly runner: Runner;
  readonly log: Logger;
  /** Stops the runner (fails pending calls closed), then flushes and closes the audit log. */
  stop(reason: string): Promise<void>;
}

function usage(message: string): never {
  throw new GovernedError(ErrorCode.InvalidConfig, message);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Parses `stdio` or `HOST:PORT` (`[::1]:8080` for IPv6). */
export function parseListen(value: string): ListenSpec {
  if (value === 'stdio') return { kind: 'stdio' };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (m === null || !(port >= 0 && port <= 65535)) usage(`--listen takes stdio or HOST:PORT, not '${value}'`);
  return { kind: 'http', host: m[1] ?? m[2] ?? '', port };
}

/** Resolves where to forward from the flags and the file; exactly one upstream must be given. */
export function resolveUpstream(
  config: ProxyConfig,
  o: ProxyOverrides,
  env: NodeJS.ProcessEnv,
): UpstreamSpec {
  const url = o.upstreamUrl ?? (o.command === undefined ? config.upstream.url : undefined);
  const command = o.command ?? (o.upstreamUrl === undefined ? config.upstream.command : undefined);
  if (o.upstreamUrl !== undefined && o.command !== undefined && o.command.length > 0) {
    usage('give either --upstream-url or -- COMMAND, not both');
  }
  if (url !== undefined) {
    if (o.sandbox !== undefined || config.upstream.sandbox !== undefined)
      usage('the sandbox runs a stdio upstream (-- COMMAND), not an --upstream-url');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      usage(`--upstream-url is not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') usage('--upstream-url must be http(s)');
    const headers: Record<string, string> = { ...config.upstream.headers };
    for (const [header, name] of Object.entries(config.upstream.headersFromEnv)) {
      const value = env[name];
      if (value === undefined) usage(`upstream header ${header}: variable ${name} is unset`);
      headers[header] = value;
    }
    return { kind: 'http', url: parsed.href, headers, maxFrameBytes: config.limits.maxFrameBytes };
  }
  const [cmd, ...args] = command ?? [];
  if (cmd === undefined) usage('no upstream: give --upstream-url URL or -- COMMAND ARGS…');
  const sandbox = o.sandbox ?? config.upstream.sandbox;
  return {
    kind: 'stdio',
    command: cmd,
    args,
    env: childEnvironment(config.upstream.env, config.upstream.envPassthrough, env),
    restart: config.upstream.restart,
    maxFrameBytes: config.limits.maxFrameBytes,
    ...(config.upstream.cwd === undefined ? {} : { cwd: config.upstream.cwd }),
    ...(sandbox === undefined ? {} : { sandbox }),
  };
}

/**
 * What the path layer needs to know about the upstream: where its relative and `~` paths point, whether
 * it runs on this disk (a stdio child: symlinks are followed here), and the gate's own files.
 */
function gatePaths(
  upstream: UpstreamSpec,
  env: NodeJS.ProcessEnv,
  files: readonly string[],
): PathLayerOptions {
  const local = upstream.kind === 'stdio';
  const home = (local ? upstream.env.HOME : undefined) ?? env.HOME ?? homedir();
  const cwd = (local ? upstream.cwd : undefined) ?? process.cwd();
  return { env: { home, cwd }, resolveOnDisk: local, protectedFiles: files.map((f) => resolve(f)) };
}

function probeSource(config: ProxyConfig, o: ProxyOverrides): ProbeSource | undefined {
  const model = o.model ?? config.probe?.model;
  const url = o.probeUrl ?? config.probe?.url;
  if (model !== undefined) return { model };
  if (url !== undefined) {
    const kind = config.probe?.kind;
    const served = config.probe?.servedModel;
    return {
      url,
      ...(kind === undefined ? {} : { kind }),
      ...(served === undefined ? {} : { servedModel: served }),
    };
  }
  return undefined;
}

/**
 * Builds the gate (layers, pipeline, audit chain), the mediator and the runner from a configuration
 * and command-line overrides, and starts listening. Throws GovernedError('invalid_config') on usage
 * problems (listen address, upstream) before anything is started; with a stdio upstream the child is
 * started next, while the gate is built, and stopped again when a later step fails.
 */
export async function startProxy(
  config: ProxyConfig,
  o: ProxyOverrides,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedProxy> {
  const log = createLogger(o.logLevel ?? config.log.level, { format: o.logFormat });
  const listen = parseListen(o.listen ?? 'stdio');
  if (
    listen.kind === 'http' &&
    config.tokens.length === 0 &&
    !isLoopback(listen.host) &&
    !config.http.allowAnonymous
  ) {
    usage(
      `--listen ${listen.host}: a non-loopback address needs bearer tokens in the config (or http.allowAnonymous: true)`,
    );
  }
  const upstream = resolveUpstream(config, o, env);
  // Fail closed: a sandbox that cannot be set up here stops the start (exit 3) before any child runs.
  if (upstream.kind === 'stdio' && upstream.sandbox !== undefined)
    await verifySandboxFor(upstream.sandbox, upstream, env);
  // The one stdio session's child boots while the gate is built (node starting a server takes about
  // as long as building the gate). It is sent nothing until the gate is in place, and a start-up that
  // fails stops it again.
  const link =
    listen.kind === 'stdio' && upstream.kind === 'stdio' ? createUpstreamLink(upstream, log) : undefined;
  link?.warm();
  try {
    return await buildProxy(config, o, env, { log, listen, upstream, link });
  } catch (err) {
    await link?.close();
    throw err;
  }
}

/** What {@link startProxy} has resolved before the gate is built. */
interface ProxyStart {
  readonly log: Logger;
  readonly listen: ListenSpec;
  readonly upstream: UpstreamSpec;
  /** The stdio session's upstream link, already starting. */
  readonly link: UpstreamLink | undefined;
}

async function buildProxy(
  config: ProxyConfig,
  o: ProxyOverrides,
  env: NodeJS.ProcessEnv,
  { log, listen, upstream, link }: ProxyStart,
): Promise<StartedProxy> {
  const policyPath = o.policy ?? config.policy;
  const resources: (() => Promise<void>)[] = [];
  // A start-up that fails from here on releases what it holds (the child, the watcher, the model), then
  // throws.
  const release = async (err: unknown): Promise<never> => {
    await Promise.allSettled(resources.map((close) => close()));
    throw err;
  };
  // A policy file is watched: a valid change to its rules is swapped in atomically, a broken one is
  // refused loudly and the policy in force stays. Tiers, limits and principles apply from the next start.
  const watched =
    policyPath === undefined
      ? undefined
      : await watchPolicyFile(policyPath, {
          onReload: (next, previous) => {
            log.info('policy_reloaded', { path: policyPath, hash: next.hash, previous: previous.hash });
            if (canonicalJson(next.settings) !== canonicalJson(previous.settings)) {
              log.warn('policy_settings_need_restart', { path: policyPath, hash: next.hash });
            }
          },
          onError: (diagnostics, kept) => {
            log.error('policy_reload_rejected', {
              path: policyPath,
              keptHash: kept.hash,
              errors: diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
            });
          },
        })
          .catch((err: unknown) => {
            // The same diagnostics as a plain load, with the invalid_config code.
            if (err instanceof PolicyLoadError) return loadPolicy(policyPath).then(() => undefined);
            throw err;
          })
          .catch(release);
  if (watched !== undefined) resources.push(async () => watched.close());
  const policy = watched?.current ?? (await loadPolicy(policyPath).catch(release));
  // The policy's settings (tiers, tool rules), with the config file's overrides on top.
  const settings = settingsOver(policy, config);
  // Who an unauthenticated session is: see resolveDefaultPrincipal for the precedence.
  const { principal, source: principalSource } = resolveDefaultPrincipal({
    config,
    settings,
    policyFile: policyPath !== undefined,
    transport: listen.kind,
  });
  const probe = probeSource(config, o);
  // The model's operating point, when the configuration gives one, over every tier's probe profile.
  const { alpha, threshold } = config.probe ?? {};
  const strictness =
    alpha === undefined && threshold === undefined
      ? undefined
      : { ...(alpha === undefined ? {} : { alpha }), ...(threshold === undefined ? {} : { threshold }) };
  const auditPath = o.audit ?? config.audit?.path;
  // Pins live on disk next to the audit file by default, so a tool changed across a restart is caught.
  const pinsPath = o.pins ?? config.pins ?? (auditPath === undefined ? undefined : `${auditPath}.pins.json`);
  // Signed checkpoints of the chain: the key and the checkpoints are the gate's, never the agent's.
  const checkpointConfig = auditPath === undefined ? undefined : config.audit?.checkpoint;
  const checkpointOut = checkpointConfig?.out ?? `${auditPath}.checkpoint`;
  // `--audit audit/log.jsonl` works in a fresh folder: missing parents are made, private to this user.
  for (const file of [auditPath, pinsPath]) {
    if (file === undefined) continue;
    await mkdir(dirname(resolve(file)), { recursive: true, mode: 0o700 }).catch((err: unknown) =>
      release(
        new GovernedError(ErrorCode.Io, `cannot create the folder of ${file}: ${(err as Error).message}`, {
          cause: err,
        }),
      ),
    );
  }
  // The user's layers load before the built-in ones (a model can take long): a bad module fails fast.
  const custom = await loadCustomLayers(config.customLayers).catch(release);
  // The probe layer's probe, shared with the mediator's text questions (one model in memory).
  let sharedProbe: Probe | undefined;
  const prepares: (() => void)[] = [];
  // A shared (Redis) rate-limit store: unreachable at start-up, the proxy does not start.
  const rateLimitStore = await openConfiguredRateLimitStore(config.rateLimitStore, log).catch(release);
  if (rateLimitStore !== undefined) resources.push(() => rateLimitStore.close());
  const builtIn = await assembleLayers({
    ...(rateLimitStore === undefined ? {} : { rateLimitStore }),
    onPrepare: (prepare) => prepares.push(prepare),
    ...(config.settingsOverrides === undefined ? {} : { settings: config.settingsOverrides }),
    configuration: o.layers ?? config.layers,
    policy,
    ...(watched === undefined ? {} : { policyHolder: watched }),
    ...(probe === undefined ? {} : { probe }),
    ...(config.probe?.timeoutMs === undefined ? {} : { probeTimeoutMs: config.probe.timeoutMs }),
    ...(strictness === undefined ? {} : { probeStrictness: strictness }),
    onResource: (close) => resources.push(close),
    onProbe: (p) => {
      sharedProbe = p;
    },
    paths: gatePaths(upstream, env, [
      ...(policyPath === undefined ? [] : [policyPath, ...policy.files]),
      ...(o.configPath === undefined ? [] : [o.configPath]),
      ...(auditPath === undefined ? [] : [auditPath, `${auditPath}.lock`]),
      ...(pinsPath === undefined ? [] : [pinsPath]),
      ...(checkpointConfig === undefined
        ? []
        : [checkpointConfig.key, checkpointOut, `${checkpointOut}.history`]),
      // The agent may not rewrite the code of the gate's own layers.
      ...config.customLayers.map((c) => c.module),
    ]),
  }).catch(release);
  // Opt-in text questions: with the shared probe, at the default principal's tier strictness.
  const textProbe = await Promise.resolve()
    .then(() => {
      const { results = false, definitions = false, timeoutMs } = config.probe ?? {};
      const asked = {
        results,
        definitions,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...strictness,
      };
      return textProbeOptions(asked, sharedProbe, settings, principal.tier);
    })
    .catch(release);
  const layers = placeCustomLayers(builtIn, custom);
  const pipeline = createPipeline(layers);
  const pins = pinsPath === undefined ? undefined : await openPinFile(pinsPath).catch(release);
  if (pins === undefined) log.warn('pins_in_memory', { why: 'no --pins, pins key or audit file' });
  else log.info('pins_opened', { path: pins.path });
  let audit: AuditLog | undefined;
  if (auditPath !== undefined) {
    audit = await openAuditLog(auditPath, { durability: config.audit?.durability ?? 'fsync' }).catch(release);
    log.info('audit_opened', {
      path: auditPath,
      durability: audit.durability,
      resumed: audit.resumed ?? null,
    });
  }
  let checkpoints: CheckpointWriter | undefined;
  if (audit !== undefined && checkpointConfig !== undefined) {
    const opened = audit;
    const key = await readSignerKeyFile(checkpointConfig.key).catch(async (err: unknown) => {
      await opened.close();
      const message = `audit.checkpoint.key: ${(err as Error).message} (${(err as { code?: string }).code})`;
      return release(new GovernedError(ErrorCode.InvalidConfig, message, { cause: err }));
    });
    const witness = checkpointConfig.witness;
    // A checkpoint that cannot be written or witnessed is logged; the gate goes on (docs/audit-format.md).
    checkpoints = startCheckpoints(opened, {
      key,
      everyRecords: checkpointConfig.every,
      everyMs: checkpointConfig.everyMs,
      out: checkpointOut,
      ...(witness === undefined
        ? {}
        : {
            witness: {
              ...(witness.dir === undefined ? {} : { dir: witness.dir }),
              ...(witness.url === undefined ? {} : { url: witness.url }),
            },
          }),
      onCheckpoint: (c) => log.info('audit_checkpoint', { size: c.size, hash: c.hash, out: checkpointOut }),
      onError: (where, err) =>
        log.error(where === 'witness' ? 'audit_witness_failed' : 'audit_checkpoint_failed', {
          message: String(err),
        }),
    });
  }
  const auditArguments = config.audit?.arguments ?? 'digest';
  const gate = createGate({
    pipeline,
    ...(audit === undefined ? {} : { audit }),
    arguments: auditArguments,
    outcomes: config.audit?.outcomes ?? 'next',
  });
  // Spans and metrics per mediated request; exported only when the OTEL_* variables say so.
  const telemetry = await startTelemetry(env, log);
  resources.push(() => telemetry.shutdown());
  const mediator = createMediator({
    gate: telemetry.instrument(gate),
    defaultPrincipal: principal,
    mediate: {
      resources: config.mediate.resourcesRead,
      prompts: config.mediate.promptsGet,
      sampling: config.mediate.sampling,
      elicitation: config.mediate.elicitation,
    },
    redaction: config.redaction,
    resultInstructions: config.resultInstructions,
    ...(textProbe === undefined ? {} : { textProbe }),
    ...(pins === undefined ? {} : { pins }),
    ...(config.upstream.name === undefined ? {} : { server: config.upstream.name }),
    limits: {
      maxFrameBytes: config.limits.maxFrameBytes,
      maxDepth: config.limits.maxDepth,
      maxBatch: config.limits.maxBatch,
    },
    visibility: tierVisibility(createTierTable(settings), {
      // One info line per hidden tool: what it needs against what the principal has.
      onHidden: (hidden) => log.info('tool_hidden_by_tier', { ...hidden }),
    }),
    log: (line) => {
      const { level, event, ...fields } = line;
      log[level](event, fields);
    },
  });
  let runner: Runner;
  try {
    runner = await startRunner({
      listen,
      upstream,
      mediator,
      principal,
      tokens: config.tokens,
      limits: config.limits,
      log,
      allowedHosts: config.http.allowedHosts,
      ...(link === undefined ? {} : { upstreamLink: link }),
    });
  } catch (err) {
    await checkpoints?.stop();
    await audit?.close();
    await Promise.allSettled(resources.map((close) => close()));
    throw err;
  }
  // Readying the layers for the first call waits until the runner listens: it then overlaps the
  // upstream's answer to initialize. A failure here is the first call's to meet (and deny), not start-up's.
  setImmediate(() => {
    for (const prepare of prepares) {
      try {
        prepare();
      } catch (err) {
        log.warn('layer_prepare_failed', { message: err instanceof Error ? err.message : String(err) });
      }
    }
  }).unref();
  log.info('proxy_started', {
    layers: layers.map((l) => l.name),
    principal: principal.id,
    tier: principal.tier,
    principalSource,
    audit: auditPath ?? null,
    telemetry: telemetry.exporting,
  });
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      await runner.close(reason);
      await Promise.allSettled(resources.map((close) => close()));
      await pins?.flush().catch((err: unknown) => log.error('pins_not_written', { message: String(err) }));
      // The last checkpoint covers the last record, before the log closes.
      await checkpoints?.stop();
      if (audit !== undefined) {
        await audit.close();
        log.info('audit_closed', { path: audit.path });
      }
    })();
    return stopping;
  };
  // On stdio the runner ends by itself when the client leaves; the audit log must still be closed.
  void runner.closed.then(() => stop('runner_closed'));
  return { runner, log, stop };
}
