import {
  createRateLimitLayer,
  createSchemaLayer,
  createTierLayer,
  ErrorCode,
  type GateSettings,
  GovernedError,
  type Layer,
} from '@governed-mcp/core';

/** The named layer configurations of the runner and the ablation study. */
export const LAYER_CONFIGURATIONS = ['full', 'no-probe', 'probe-only', 'no-prefilter'] as const;

/** One of the named layer configurations. */
export type LayerConfiguration = (typeof LAYER_CONFIGURATIONS)[number];

/** The canonical layers, in pipeline order. */
export const CANONICAL_LAYERS = ['schema', 'tier', 'rate-limit', 'prefilter', 'probe', 'policy'] as const;

/** One canonical layer name. */
export type CanonicalLayer = (typeof CANONICAL_LAYERS)[number];

const INCLUDED: Readonly<Record<LayerConfiguration, ReadonlySet<CanonicalLayer>>> = {
  full: new Set(CANONICAL_LAYERS),
  'no-probe': new Set(CANONICAL_LAYERS.filter((l) => l !== 'probe')),
  'probe-only': new Set<CanonicalLayer>(['probe']),
  'no-prefilter': new Set(CANONICAL_LAYERS.filter((l) => l !== 'prefilter')),
};

/** Where the probe's model runs. */
export type ProbeSource = { readonly model: string } | { readonly url: string };

/** Inputs of {@link assembleLayers}. */
export interface AssemblyOptions {
  /** The gate settings (tiers, tool rules); a policy file may refine them. */
  readonly settings: GateSettings;
  /** Which layers to build. Default `full`. */
  readonly configuration?: LayerConfiguration;
  /** A policy file; the default constitution when absent. */
  readonly policyPath?: string;
  /** The probe's backend; required by configurations that include the probe. */
  readonly probe?: ProbeSource;
  /** Told about each wanted layer this build cannot make; without it such a layer is an error. */
  readonly onMissing?: (layer: CanonicalLayer, why: string) => void;
}

/** True when `value` names a layer configuration. */
export function isLayerConfiguration(value: unknown): value is LayerConfiguration {
  return typeof value === 'string' && (LAYER_CONFIGURATIONS as readonly string[]).includes(value);
}

/**
 * Builds the layers of a configuration, in canonical order (schema, tier, rate-limit, prefilter, probe,
 * policy), from the settings, the policy and the probe source. Throws GovernedError('invalid_config')
 * when the configuration needs something it was not given (a probe without a model).
 * @example
 * const layers = await assembleLayers({ settings: DEFAULT_SETTINGS, configuration: 'no-probe' });
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
  const want = INCLUDED[configuration];
  if (want.has('probe') && options.probe === undefined) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      `configuration '${configuration}' includes the probe: give a model (--model) or a server (--probe-url)`,
    );
  }
  const missing = (layer: CanonicalLayer, why: string): void => {
    if (options.onMissing === undefined)
      throw new GovernedError(ErrorCode.InvalidConfig, `layer '${layer}': ${why}`);
    options.onMissing(layer, why);
  };
  const settings = options.settings;
  const layers: Layer[] = [];
  for (const name of CANONICAL_LAYERS) {
    if (!want.has(name)) continue;
    switch (name) {
      case 'schema':
        layers.push(createSchemaLayer());
        break;
      case 'tier':
        layers.push(createTierLayer(settings));
        break;
      case 'rate-limit':
        layers.push(createRateLimitLayer(settings));
        break;
      case 'prefilter':
        // TODO(integrator): createPrefilterLayer(settings) from @governed-mcp/core once it is exported.
        missing(name, 'createPrefilterLayer is not in @governed-mcp/core yet');
        break;
      case 'probe':
        // TODO(integrator): createProbeLayer(createProbe(backend), settings) from @governed-mcp/probe, with
        // createLlamaCppBackend(model) or createLlamaServerBackend(url) from options.probe.
        missing(name, 'createProbeLayer is not in @governed-mcp/probe yet');
        break;
      case 'policy':
        // TODO(integrator): createPolicyLayer(await loadPolicyFile(path) or defaultPolicy()) from
        // @governed-mcp/policy-dsl once it is exported.
        missing(name, 'createPolicyLayer is not in @governed-mcp/policy-dsl yet');
        break;
    }
  }
  // An empty pipeline allows everything: never hand one out.
  if (layers.length === 0) {
    throw new GovernedError(ErrorCode.InvalidConfig, `configuration '${configuration}' built no layer`);
  }
  return layers;
}
