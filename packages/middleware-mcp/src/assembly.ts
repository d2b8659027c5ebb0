import { homedir } from 'node:os';
import {
  type CallContext,
  createPrefilterLayer,
  createRateLimitLayer,
  createSchemaLayer,
  createTierLayer,
  ErrorCode,
  GovernedError,
  type Layer,
  type ProbeStrictness,
  type RateLimitStore,
} from '@governed-mcp/core';
import { createPathLayer, type PathLayerOptions } from '@governed-mcp/core/node';
import {
  type CompiledPolicy,
  createPolicyLayer,
  gateSettingsOf,
  loadPolicy,
  type PolicyHolder,
  type SettingsOverrides,
} from '@governed-mcp/policy-dsl';
import {
  createLlamaCppBackend,
  createLlamaServerBackend,
  createOpenAiCompletionsBackend,
  createProbe,
  createProbeLayer,
  defaultStrictness,
  type Probe,
  type ProbeServerKind,
} from '@governed-mcp/probe';

/** The named layer configurations of the runner and the ablation study. */
export const LAYER_CONFIGURATIONS = ['full', 'no-probe', 'probe-only', 'no-prefilter'] as const;

/** One of the named layer configurations. */
export type LayerConfiguration = (typeof LAYER_CONFIGURATIONS)[number];

/** The canonical layers, in pipeline order. */
export const CANONICAL_LAYERS = [
  'schema',
  'tier',
  'rate-limit',
  'paths',
  'prefilter',
  'probe',
  'policy',
] as const;

/** One canonical layer name. */
export type CanonicalLayer = (typeof CANONICAL_LAYERS)[number];

const INCLUDED: Readonly<Record<LayerConfiguration, readonly CanonicalLayer[]>> = {
  full: CANONICAL_LAYERS,
  'no-probe': CANONICAL_LAYERS.filter((l) => l !== 'probe'),
  'probe-only': ['probe'],
  'no-prefilter': CANONICAL_LAYERS.filter((l) => l !== 'prefilter'),
};

/** The layers a configuration builds, in pipeline order. */
export function layersOf(configuration: LayerConfiguration): readonly CanonicalLayer[] {
  return INCLUDED[configuration];
}

/**
 * Where the probe's model runs: an embedded GGUF, an inference server (llama.cpp's llama-server unless
 * `kind` names an OpenAI-completions one: `llama-cpp-python`, or `vllm` with its served `model` name),
 * or a probe already made.
 */
export type ProbeSource =
  | { readonly model: string }
  | {
      readonly url: string;
      readonly kind?: ProbeServerKind;
      readonly servedModel?: string;
    }
  | { readonly probe: Probe };

/** Inputs of {@link assembleLayers}. */
export interface AssemblyOptions {
  /**
   * Settings written over the policy's (a configuration file's `settings`): see `gateSettingsOf`. The
   * layers read the policy's own settings (its tiers, its `require tier` rules) with these on top;
   * there is no way to give settings that replace the policy's.
   */
  readonly settings?: SettingsOverrides;
  /** Which layers to build. Default `full`. */
  readonly configuration?: LayerConfiguration;
  /** A compiled policy; wins over `policyPath`. */
  readonly policy?: CompiledPolicy;
  /**
   * Where the policy layer reads the policy in force on each call (a hot-reloading `watchPolicyFile`);
   * `policy` (or the file) still configures the other layers and the probe's principles at build time.
   */
  readonly policyHolder?: PolicyHolder;
  /** A policy file; the default constitution when neither this nor `policy` is given. */
  readonly policyPath?: string;
  /**
   * The path layer's view of the upstream: where its paths are interpreted, whether to follow
   * symlinks on this disk (a stdio child runs here), and the gate's own files it must not touch.
   * Default: this process's home and working directory, no resolution, no protected files.
   */
  readonly paths?: PathLayerOptions;
  /** The probe's backend; required by configurations that include the probe. */
  readonly probe?: ProbeSource;
  /** Most time one probe may take, in ms (the call's deadline still caps it). Default 2000. */
  readonly probeTimeoutMs?: number;
  /**
   * The probe's calibration strength and threshold for every tier, over the tiers' own profiles: the
   * operating point measured for the model in use. Each field left out keeps the tier's.
   */
  readonly probeStrictness?: { readonly alpha?: number; readonly threshold?: number };
  /** Where the rate-limit layer keeps buckets and slots; default one in this process's memory. */
  readonly rateLimitStore?: RateLimitStore;
  /** Receives a release function for each resource the layers hold (the probe's model). */
  readonly onResource?: (close: () => Promise<void>) => void;
  /**
   * Receives the probe the probe layer uses (when the configuration builds one), so the mediator's
   * text questions (`textProbe`) share its model rather than load a second.
   */
  readonly onProbe?: (probe: Probe) => void;
  /**
   * Receives work that readies a layer ahead of the first call (the schema layer's validator engine),
   * for the caller to run when idle. Left unrun, the first call does it: decisions are the same.
   */
  readonly onPrepare?: (prepare: () => void) => void;
}

/** The tier's probe profile (`defaultStrictness`) with the given fields written over it. */
function overStrictness(o: {
  readonly alpha?: number;
  readonly threshold?: number;
}): (ctx: CallContext) => ProbeStrictness {
  if (o.alpha !== undefined && !(o.alpha >= 0 && o.alpha <= 1))
    throw new GovernedError(ErrorCode.InvalidConfig, `probe alpha ${o.alpha} is not in [0, 1]`);
  if (o.threshold !== undefined && !(o.threshold > 0 && o.threshold < 1))
    throw new GovernedError(ErrorCode.InvalidConfig, `probe threshold ${o.threshold} is not in (0, 1)`);
  return (ctx) => ({ ...defaultStrictness(ctx), ...o });
}

/** True when `value` names a layer configuration. */
export function isLayerConfiguration(value: unknown): value is LayerConfiguration {
  return typeof value === 'string' && (LAYER_CONFIGURATIONS as readonly string[]).includes(value);
}

async function openProbe(source: ProbeSource, policy: CompiledPolicy): Promise<Probe> {
  if ('probe' in source) return source.probe;
  const backend =
    'model' in source
      ? createLlamaCppBackend({ modelPath: source.model })
      : source.kind === undefined || source.kind === 'llama-server'
        ? createLlamaServerBackend({ url: source.url })
        : createOpenAiCompletionsBackend({
            url: source.url,
            flavor: source.kind,
            ...(source.servedModel === undefined ? {} : { model: source.servedModel }),
          });
  // The model loads (and calibrates) here, before the first call, so a bad model fails at start-up.
  return createProbe({ backend, principles: policy.principles });
}

/**
 * Builds the layers of a configuration, in canonical order (schema, tier, rate-limit, paths, prefilter,
 * probe, policy), from the policy (its rules and its settings, with `settings` written over them) and
 * the probe source. The proxy, `governServer`, the evaluation harness and `policy explain` all build
 * their layers here, so the same call gets the same answer in each. Throws GovernedError('invalid_config')
 * when the configuration needs something it was not given (a probe without a model) or a policy file
 * does not compile. Never returns an empty list, which would allow every call.
 * @example
 * const layers = await assembleLayers({ policy: await loadPolicy('governed.policy'), configuration: 'no-probe' });
 * const pipeline = createPipeline(layers);
 */
export async function assembleLayers(options: AssemblyOptions): Promise<Layer[]> {
  const configuration = options.configuration ?? 'full';
  if (!isLayerConfiguration(configuration)) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      `unknown layer configuration '${String(configuration)}'`,
    );
  }
  const want = new Set(INCLUDED[configuration]);
  const source = options.probe;
  if (want.has('probe') && source === undefined) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      `configuration '${configuration}' includes the probe: give a model (--model) or a server (--probe-url)`,
    );
  }
  const policy = options.policy ?? (await loadPolicy(options.policyPath));
  const settings = gateSettingsOf(policy, options.settings);
  const layers: Layer[] = [];
  for (const name of CANONICAL_LAYERS) {
    if (!want.has(name)) continue;
    switch (name) {
      case 'schema':
        layers.push(
          createSchemaLayer(options.onPrepare === undefined ? {} : { onPrepare: options.onPrepare }),
        );
        break;
      case 'tier':
        layers.push(createTierLayer(settings));
        break;
      case 'rate-limit':
        layers.push(
          createRateLimitLayer(
            settings,
            options.rateLimitStore === undefined ? {} : { store: options.rateLimitStore },
          ),
        );
        break;
      case 'paths':
        // Normalises and resolves paths before the pre-filter and the policy decide on them, and
        // guards the gate's own files.
        layers.push(createPathLayer(options.paths ?? { env: { home: homedir(), cwd: process.cwd() } }));
        break;
      case 'prefilter':
        layers.push(
          createPrefilterLayer(
            settings,
            options.onPrepare === undefined ? {} : { onPrepare: options.onPrepare },
          ),
        );
        break;
      case 'probe': {
        // Checked above; narrowed here for the compiler.
        if (source === undefined) break;
        const probe = await openProbe(source, policy);
        if (!('probe' in source)) options.onResource?.(() => probe.close());
        options.onProbe?.(probe);
        // Strictness per call: the tier layer's resolved profile (defaultStrictness reads it).
        layers.push(
          createProbeLayer({
            probe,
            principles: policy.principles,
            ...(options.probeStrictness === undefined
              ? {}
              : { strictness: overStrictness(options.probeStrictness) }),
            ...(options.probeTimeoutMs === undefined ? {} : { timeoutMs: options.probeTimeoutMs }),
          }),
        );
        break;
      }
      case 'policy':
        layers.push(createPolicyLayer(options.policyHolder ?? policy));
        break;
    }
  }
  if (layers.length === 0) {
    throw new GovernedError(ErrorCode.InvalidConfig, `configuration '${configuration}' built no layer`);
  }
  return layers;
}
