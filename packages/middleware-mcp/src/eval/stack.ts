import {
  createPipeline,
  DEFAULT_SETTINGS,
  type GateSettings,
  GovernedError,
  type Layer,
  type Pipeline,
  type Principal,
  TIER_FACT,
} from '@governed-mcp/core';
import { assembleLayers, CANONICAL_LAYERS, type CanonicalLayer } from '../assembly.js';
import { EvalErrorCode } from './dataset.js';

/** The ablation configurations of `governed-mcp eval`. */
export const EVAL_CONFIGS = ['full', 'no-probe', 'probe-only', 'no-prefilter'] as const;

/** One ablation configuration. */
export type EvalConfig = (typeof EVAL_CONFIGS)[number];

/** The layers each configuration asks for, in the proxy's pipeline order. */
export function layersOf(config: EvalConfig): readonly string[] {
  switch (config) {
    case 'full':
      return CANONICAL_LAYERS;
    case 'no-probe':
      return CANONICAL_LAYERS.filter((l) => l !== 'probe');
    case 'no-prefilter':
      return CANONICAL_LAYERS.filter((l) => l !== 'prefilter');
    case 'probe-only':
      return ['probe'];
  }
}

/** True when the configuration includes the semantic layer, which needs a model or a probe URL. */
export function needsModel(config: EvalConfig): boolean {
  return layersOf(config).includes('probe');
}

/** How to build the evaluated stack. */
export interface StackOptions {
  readonly config: EvalConfig;
  /** A policy file; default: the default constitution, when the policy package provides one. */
  readonly policyPath?: string;
  /** A GGUF model for the embedded probe backend. */
  readonly modelPath?: string;
  /** A llama.cpp server URL for the remote probe backend. */
  readonly probeUrl?: string;
  /** The tier of cases that name no principal. */
  readonly tier?: string;
  /**
   * Layers to leave out of the configuration, for finer ablations (e.g. `no-prefilter` without the
   * probe, which then needs no model). The report names the layers that actually ran.
   */
  readonly skip?: readonly string[];
}

/** The pipeline under evaluation and what it is made of. */
export interface EvalStack {
  readonly pipeline: Pipeline;
  /** The layers that run, outermost first. */
  readonly layers: readonly string[];
  /** Layers the configuration asks for whose factory has not been provided by its package. */
  readonly missing: readonly string[];
  readonly defaultPrincipal: Principal;
  /** Releases the model, if any. */
  close(): Promise<void>;
}

type Namespace = Record<string, unknown>;

// Variable specifiers: these packages' entry points are being written in parallel; a missing export is
// reported as a missing layer (never replaced by an allow-all stand-in).
async function load(specifier: string): Promise<Namespace> {
  try {
    return (await import(specifier)) as Namespace;
  } catch {
    return {};
  }
}

function fn<T>(ns: Namespace, name: string): T | undefined {
  return typeof ns[name] === 'function' ? (ns[name] as T) : undefined;
}

interface PolicyLike {
  readonly settings: GateSettings;
  readonly principles?: readonly string[];
}

async function loadPolicy(policy: Namespace, path: string | undefined): Promise<PolicyLike | undefined> {
  if (path === undefined) {
    const defaultPolicy = fn<() => PolicyLike>(policy, 'defaultPolicy');
    return defaultPolicy?.();
  }
  const loadPolicyFile = fn<(p: string) => Promise<{ ok: boolean; value?: PolicyLike; error?: unknown }>>(
    policy,
    'loadPolicyFile',
  );
  if (loadPolicyFile === undefined) {
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      '--policy: the policy package is not available in this build',
    );
  }
  const r = (await loadPolicyFile(path)) as unknown as Record<string, unknown>;
  const value = (r['value'] ?? r['policy']) as PolicyLike | undefined;
  if (r['ok'] !== true || value === undefined) {
    const diags = (r['error'] ?? r['errors'] ?? r['diagnostics']) as unknown;
    const text = Array.isArray(diags)
      ? diags
          .map(
            (d: { line?: number; col?: number; message?: string }) =>
              `${path}:${d.line}:${d.col}: ${d.message}`,
          )
          .join('\n')
      : String(diags);
    throw new GovernedError(EvalErrorCode.InvalidOption, `invalid policy:\n${text}`);
  }
  return value;
}

async function probeLayer(
  options: StackOptions,
  principles: readonly string[] | undefined,
): Promise<Layer | undefined> {
  const probe = await load('@governed-mcp/probe');
  const createProbe = fn<(o: object) => Promise<unknown>>(probe, 'createProbe');
  const createProbeLayer = fn<(o: object) => Layer>(probe, 'createProbeLayer');
  const backendFactory =
    options.modelPath !== undefined
      ? fn<(o: object) => unknown>(probe, 'createLlamaCppBackend')
      : fn<(o: object) => unknown>(probe, 'createLlamaServerBackend');
  if (createProbe === undefined || createProbeLayer === undefined || backendFactory === undefined)
    return undefined;
  const backend =
    options.modelPath !== undefined
      ? backendFactory({ modelPath: options.modelPath })
      : backendFactory({ url: options.probeUrl });
  // Load the model before the first case, so that its load time is not counted as the first call's latency.
  const instance = await createProbe({ backend, ...(principles === undefined ? {} : { principles }) });
  return createProbeLayer({
    probe: instance,
    strictness: (ctx: Parameters<Layer['intercept']>[0]) => {
      const fact = ctx.get(TIER_FACT);
      return (
        fact?.profile.probe ??
        DEFAULT_SETTINGS.tiers.find((t) => t.name === ctx.call.principal.tier)?.probe ??
        DEFAULT_SETTINGS.tiers[0]!.probe
      );
    },
  });
}

/**
 * Builds the pipeline of one ablation configuration with the proxy's own `assembleLayers`, so that the
 * figures describe what the proxy runs. A layer the assembly cannot make yet is built here from its
 * package when the package exports the factory (a bridge while the assembly is being completed), and
 * otherwise reported as missing: never replaced by a stand-in that allows.
 */
export async function createEvalStack(options: StackOptions): Promise<EvalStack> {
  const skip = new Set(options.skip ?? []);
  for (const name of skip) {
    if (!(CANONICAL_LAYERS as readonly string[]).includes(name)) {
      throw new GovernedError(
        EvalErrorCode.InvalidOption,
        `--skip: unknown layer '${name}' (layers: ${CANONICAL_LAYERS.join(', ')})`,
      );
    }
  }
  const wanted = layersOf(options.config).filter((l) => !skip.has(l));
  if (wanted.length === 0) {
    throw new GovernedError(EvalErrorCode.InvalidOption, `--skip leaves no layer of '${options.config}'`);
  }
  const withProbe = wanted.includes('probe');
  if (withProbe && options.modelPath === undefined && options.probeUrl === undefined) {
    throw new GovernedError(
      EvalErrorCode.ModelRequired,
      `configuration '${options.config}' runs the semantic layer (probe) and needs a model: pass --model FILE.gguf or --probe-url URL, or use --config no-probe`,
    );
  }
  const [core, policyPkg] = await Promise.all([load('@governed-mcp/core'), load('@governed-mcp/policy-dsl')]);
  const policy = await loadPolicy(policyPkg, options.policyPath);
  const settings = policy?.settings ?? DEFAULT_SETTINGS;
  const tier = options.tier ?? 'trusted';
  if (!settings.tiers.some((t) => t.name === tier)) {
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      `--tier: unknown tier '${tier}' (known: ${settings.tiers.map((t) => t.name).join(', ')})`,
    );
  }
  const notAssembled: CanonicalLayer[] = [];
  const assemble = (): Promise<Layer[]> =>
    assembleLayers({
      settings,
      // Without the probe, assemble the configuration's no-probe form (the assembly insists on a model
      // for any configuration with the probe); other skipped layers are dropped below.
      configuration: withProbe ? options.config : 'no-probe',
      ...(options.policyPath === undefined ? {} : { policyPath: options.policyPath }),
      ...(options.modelPath !== undefined
        ? { probe: { model: options.modelPath } }
        : options.probeUrl !== undefined
          ? { probe: { url: options.probeUrl } }
          : {}),
      onMissing: (layer) => notAssembled.push(layer),
    });
  let assembled: Layer[];
  try {
    assembled = await assemble();
  } catch (err) {
    // The assembly refuses to hand out an empty pipeline; when every wanted layer was merely not
    // assembled yet, the bridge below may still build them (and fails below if it cannot).
    if (notAssembled.filter((l) => wanted.includes(l)).length < wanted.length) throw err;
    assembled = [];
  }

  const bridge: Record<CanonicalLayer, () => Promise<Layer | undefined> | Layer | undefined> = {
    schema: () => undefined,
    tier: () => undefined,
    'rate-limit': () => undefined,
    prefilter: () => fn<(s: GateSettings) => Layer>(core, 'createPrefilterLayer')?.(settings),
    policy: () => {
      const create = fn<(p: unknown) => Layer>(policyPkg, 'createPolicyLayer');
      return policy === undefined ? undefined : create?.(policy);
    },
    probe: () => probeLayer(options, policy?.principles),
  };
  const layers: Layer[] = assembled.filter((l) => wanted.includes(l.name));
  const missing: string[] = [];
  for (const name of notAssembled.filter((l) => wanted.includes(l))) {
    const layer = await bridge[name]();
    if (layer === undefined) missing.push(name);
    else layers.push(layer);
  }
  if (layers.length === 0) {
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      `none of the layers of '${options.config}' is available in this build (${missing.join(', ')})`,
    );
  }
  const rank = (l: Layer): number => CANONICAL_LAYERS.indexOf(l.name as CanonicalLayer);
  layers.sort((a, b) => rank(a) - rank(b));
  return {
    pipeline: createPipeline(layers),
    layers: layers.map((l) => l.name),
    missing,
    defaultPrincipal: { id: settings.defaultPrincipal.id, tier },
    close: async () => {},
  };
}
