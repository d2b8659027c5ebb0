import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  type AuditChain,
  createGate,
  createPipeline,
  createTierTable,
  type Gate,
  type Pipeline,
  type Principal,
} from '@governed-mcp/core';
import { openAuditLog, type PathLayerOptions } from '@governed-mcp/core/node';
import {
  type CompiledPolicy,
  gateSettingsOf,
  loadPolicy,
  type SettingsOverrides,
} from '@governed-mcp/policy-dsl';
import type { Probe } from '@governed-mcp/probe';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { assembleLayers, type ProbeSource } from './assembly.js';
import { resolveDefaultPrincipal } from './default-principal.js';
import { type ConnectableServer, connectGoverned } from './in-process.js';
import type { MediationLog, Mediator, PeerInfo } from './mediation/mediator-types.js';
import { openPinFile } from './mediation/pin-file.js';
import type { PinStore } from './mediation/pins.js';
import type { RedactionMode } from './mediation/redaction.js';
import type { ResultInstructionsMode } from './mediation/result-judgement.js';
import { tierVisibility } from './mediation/visibility.js';
import { type TextQuestions, textProbeOptions } from './text-questions.js';

/** Options of {@link governServer}. Only `audit` is required: a gate that records nothing says so. */
export interface GovernServerOptions {
  /**
   * Where every decision and outcome is recorded: a file (its folder made if missing, locked, an
   * existing chain continued), an audit chain you opened, or `false` to record nothing.
   */
  readonly audit: string | AuditChain | false;
  /** A policy file or a compiled policy; default the built-in constitution. Its settings come with it. */
  readonly policy?: string | CompiledPolicy;
  /** Settings written over the policy's (see `gateSettingsOf`): they cannot drop its `require tier` rules. */
  readonly settings?: SettingsOverrides;
  /**
   * Who the client is. Default: over stdio, the local user who launched this process (`local:<user>`,
   * tier `trusted`); otherwise the settings' default principal (least privilege).
   */
  readonly principal?: Principal;
  /**
   * Edits the assembled pipeline: add your own layers, e.g. `(p) => p.with(spendLimit, { before: 'policy' })`.
   * Must return a pipeline; the result is what decides.
   */
  readonly layers?: (assembled: Pipeline) => Pipeline;
  /** The semantic layer's model (a GGUF, a llama.cpp server, or a probe you made); off by default. */
  readonly probe?: ProbeSource;
  /**
   * How the path layer reads paths. Default: this process's home and working directory, resolved on
   * this disk (the server runs here). The audit, pin and policy files are protected from the agent in
   * any case, added to `protectedFiles`.
   */
  readonly paths?: PathLayerOptions;
  /** Approved tool definitions. Default: a file next to the audit file, else memory. */
  readonly pins?: string | PinStore;
  /** The server's name in calls, pins and audit records. Default `''`. */
  readonly server?: string;
  /** Secrets in results: replaced (default), the result blocked, or left alone. */
  readonly redaction?: RedactionMode;
  /** What decision records keep of the arguments. Default 'digest'. */
  readonly auditArguments?: 'digest' | 'full';
  /** Structured log lines of the mediator (refused frames, hidden tools, redactions). */
  readonly log?: (line: MediationLog) => void;
  /** Transport facts and session id of the client. */
  readonly peer?: Partial<PeerInfo>;
  /**
   * Results carrying instructions addressed to the agent: delivered with the session marked (default),
   * the flagged spans replaced by a notice, or the whole result withheld. Always logged and audited.
   */
  readonly resultInstructions?: ResultInstructionsMode;
  /**
   * The user's task, when the application knows it (the proxy does not): read before every call; its
   * values count as the user's own, and a configured probe judges whether the call serves it.
   */
  readonly task?: (sessionId: string) => string | undefined;
  /** How long a call the gate asks a person about waits for the answer, in ms. Default 120000. */
  readonly askTimeoutMs?: number;
  /**
   * The probe's text questions about tool results and tool definitions, asked with `probe`'s model
   * (both off by default; asking without `probe` is an `invalid_config` error). Strictness defaults
   * to the default principal's tier profile.
   */
  readonly textProbe?: TextQuestions;
}

/** A governed server: the mediator (review and approve tools) and the gate, and one way to close both. */
export interface GovernedServer {
  readonly mediator: Mediator;
  readonly gate: Gate;
  /** The principal calls are decided for when the transport names none. */
  readonly principal: Principal;
  /** Fails pending calls closed, flushes and closes the audit file and pins this call opened. */
  close(): Promise<void>;
}

/**
 * Governs an SDK server (`McpServer` or the low-level `Server`) on `transport` with every deterministic
 * layer of the proxy (schema, tier, rate limit, paths, pre-filter, the policy with its settings), the
 * mediator's checks on every message (tool pins, poisoning, secrets in results) and an audit chain,
 * then connects it. The one call for the common case; `connectGoverned` and `assembleLayers` are the
 * parts it is made of.
 * @example
 * const governed = await governServer(server, new StdioServerTransport(), { audit: 'audit.jsonl' });
 * // later: await governed.close();
 */
export async function governServer(
  server: ConnectableServer,
  transport: Transport,
  options: GovernServerOptions,
): Promise<GovernedServer> {
  const opened: (() => Promise<void>)[] = [];
  const release = async (): Promise<void> => {
    for (const close of opened.reverse()) await close().catch(() => {});
  };
  try {
    const policyFile = typeof options.policy === 'string' ? options.policy : undefined;
    const policy =
      options.policy === undefined || typeof options.policy === 'string'
        ? await loadPolicy(policyFile)
        : options.policy;
    const settings = gateSettingsOf(policy, options.settings);
    const auditPath = typeof options.audit === 'string' ? resolve(options.audit) : undefined;
    const pinsPath =
      typeof options.pins === 'string'
        ? resolve(options.pins)
        : options.pins === undefined && auditPath !== undefined
          ? `${auditPath}.pins.json`
          : undefined;
    const protectedFiles = [
      ...(auditPath === undefined ? [] : [auditPath, `${auditPath}.lock`]),
      ...(pinsPath === undefined ? [] : [pinsPath]),
      ...(policyFile === undefined ? [] : [resolve(policyFile), ...policy.files.map((f) => resolve(f))]),
    ];
    let probe: Probe | undefined;
    const assembled = await assembleLayers({
      configuration: options.probe === undefined ? 'no-probe' : 'full',
      policy,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
      ...(options.probe === undefined ? {} : { probe: options.probe }),
      onResource: (close) => opened.push(close),
      onProbe: (p) => {
        probe = p;
      },
      // The gate's own files are protected whatever paths options are given.
      paths: {
        env: { home: homedir(), cwd: process.cwd() },
        resolveOnDisk: true,
        ...options.paths,
        protectedFiles: [...(options.paths?.protectedFiles ?? []), ...protectedFiles],
      },
    });
    const base = createPipeline(assembled);
    const pipeline = options.layers === undefined ? base : options.layers(base);
    if (typeof pipeline?.evaluate !== 'function') {
      throw new TypeError('governServer: options.layers must return a pipeline');
    }
    let audit: AuditChain | undefined;
    if (typeof options.audit === 'string') {
      const path = options.audit;
      await mkdir(dirname(resolve(path)), { recursive: true, mode: 0o700 });
      const log = await openAuditLog(path);
      opened.push(() => log.close());
      audit = log;
    } else if (options.audit !== false) {
      audit = options.audit;
    }
    let pins: PinStore | undefined;
    if (typeof options.pins === 'object') pins = options.pins;
    else if (pinsPath !== undefined) {
      await mkdir(dirname(pinsPath), { recursive: true, mode: 0o700 });
      const file = await openPinFile(pinsPath);
      opened.push(() => file.flush());
      pins = file;
    }
    const gate = createGate({
      pipeline,
      ...(audit === undefined ? {} : { audit }),
      ...(options.auditArguments === undefined ? {} : { arguments: options.auditArguments }),
    });
    const { principal } = resolveDefaultPrincipal({
      config: { principal: options.principal },
      settings,
      policyFile: policyFile !== undefined,
      // Over stdio the client is whoever launched this process; on any other transport, nobody known.
      transport: transport instanceof StdioServerTransport ? 'stdio' : 'http',
    });
    const textProbe = textProbeOptions(options.textProbe, probe, settings, principal.tier);
    const mediator = await connectGoverned(server, transport, {
      gate,
      defaultPrincipal: principal,
      visibility: tierVisibility(createTierTable(settings)),
      ...(pins === undefined ? {} : { pins }),
      ...(options.server === undefined ? {} : { server: options.server }),
      ...(options.redaction === undefined ? {} : { redaction: options.redaction }),
      ...(options.log === undefined ? {} : { log: options.log }),
      ...(options.peer === undefined ? {} : { peer: options.peer }),
      ...(options.resultInstructions === undefined ? {} : { resultInstructions: options.resultInstructions }),
      ...(options.task === undefined ? {} : { task: options.task }),
      ...(options.askTimeoutMs === undefined ? {} : { askTimeoutMs: options.askTimeoutMs }),
      ...(textProbe === undefined ? {} : { textProbe }),
    });
    let closing: Promise<void> | undefined;
    return {
      mediator,
      gate,
      principal,
      close() {
        closing ??= mediator.close().finally(release);
        return closing;
      },
    };
  } catch (err) {
    await release();
    throw err;
  }
}
