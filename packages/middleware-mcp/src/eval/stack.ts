import {
  createPipeline,
  createPrefilterLayer,
  GovernedError,
  type Layer,
  type Pipeline,
  type Principal,
  TIER_FACT,
} from '@governed-mcp/core';
import {
  type CompiledPolicy,
  createPolicyLayer,
  defaultPolicy,
  formatDiagnostic,
  loadPolicyFile,
} from '@governed-mcp/policy-dsl';
import {
  createLlamaCppBackend,
  createLlamaServerBackend,
  createProbe,
  createProbeLayer,
  defaultStrictness,
} from '@governed-mcp/probe';
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
  /** A policy file; default: the default constitution. */
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

async function loadPolicy(path: string | undefined): Promise<CompiledPolicy> {
  if (path === undefined) return defaultPolicy();
  const r = await loadPolicyFile(path);
  if (!r.ok) {
    const errors = r.error.filter((d) => d.severity === 'error');
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      `invalid policy:\n${(errors.length > 0 ? errors : r.error).map(formatDiagnostic).join('\n')}`,
    );
  }
  return r.value;
}

async function probeLayer(
  options: StackOptions,
  principles: readonly string[],
  onClose: (close: () => Promise<void>) => void,
): Promise<Layer> {
  const backend =
    options.modelPath !== undefined
      ? createLlamaCppBackend({ modelPath: options.modelPath })
      : createLlamaServerBackend({ url: options.probeUrl ?? '' });
  // Load the model before the first case, so that its load time is not counted as the first call's latency.
  const probe = await createProbe({ backend, principles });
  onClose(() => probe.close());
  return createProbeLayer({
    probe,
    principles,
    // The strictness the tier layer worked out for this call (alpha and threshold of the tool's tier).
    strictness: (ctx) => ctx.get(TIER_FACT)?.profile.probe ?? defaultStrictness(ctx),
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
  const policy = await loadPolicy(options.policyPath);
  const settings = policy.settings;
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

  const closers: (() => Promise<void>)[] = [];
  // Layers the assembly cannot make yet, built from their packages (remove once it builds all six).
  const bridge: Record<CanonicalLayer, () => Promise<Layer | undefined> | Layer | undefined> = {
    schema: () => undefined,
    tier: () => undefined,
    'rate-limit': () => undefined,
    prefilter: () => createPrefilterLayer(settings),
    policy: () => createPolicyLayer(policy),
    probe: () => probeLayer(options, policy.principles, (close) => closers.push(close)),
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
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
