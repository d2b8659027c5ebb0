import {
  createPipeline,
  type GateSettings,
  GovernedError,
  type Pipeline,
  type Principal,
} from '@governed-mcp/core';
import {
  assembleLayers,
  CANONICAL_LAYERS,
  LAYER_CONFIGURATIONS,
  type LayerConfiguration,
  layersOf,
} from '@governed-mcp/middleware-mcp';
import { loadPolicy } from '@governed-mcp/policy-dsl';
import type { ProbeServerKind, Verbalizer } from '@governed-mcp/probe';
import { EvalErrorCode } from './dataset.js';
import { openVariantProbe, type ProbePrompt } from './probe-variant.js';

/** The ablation configurations of `governed-mcp eval`: the proxy's layer configurations. */
export const EVAL_CONFIGS = LAYER_CONFIGURATIONS;

/** One ablation configuration. */
export type EvalConfig = LayerConfiguration;

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
  /** An inference server URL for the remote probe backend. */
  readonly probeUrl?: string;
  /** Which server `probeUrl` is (default `llama-server`). */
  readonly probeKind?: ProbeServerKind;
  /** The model name a vLLM server serves. */
  readonly servedModel?: string;
  /** The tier of cases that name no principal. */
  readonly tier?: string;
  /**
   * Layers to leave out of the configuration, for finer ablations (e.g. `no-prefilter` without the
   * probe, which then needs no model). The report names the layers that actually ran.
   */
  readonly skip?: readonly string[];
  /** Most time one probe may take, in ms (an evaluation on a slow machine raises it with its deadline). */
  readonly probeTimeoutMs?: number;
  /** How the probe's prompt is built (embedded model only). Default `facts`, as the proxy runs it. */
  readonly probePrompt?: ProbePrompt;
  /** The probe's verbalizer (embedded model only). Default Safe / Dangerous. */
  readonly verbalizer?: Verbalizer;
  /** The probe's operating point for every tier, over the tiers' profiles (a model's measured point). */
  readonly probeStrictness?: { readonly alpha?: number; readonly threshold?: number };
}

/** The pipeline under evaluation and what it is made of. */
export interface EvalStack {
  readonly pipeline: Pipeline;
  /** The layers that run, outermost first. */
  readonly layers: readonly string[];
  readonly defaultPrincipal: Principal;
  /** The policy's settings (tiers, tool rules): what the mediator's tier visibility reads in a replay. */
  readonly settings: GateSettings;
  /** Releases the model, if any. */
  close(): Promise<void>;
}

/**
 * Builds the pipeline of one ablation configuration with the proxy's own `assembleLayers`, so that the
 * figures describe exactly what the proxy runs.
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
  const wanted: readonly string[] = layersOf(options.config).filter((l) => !skip.has(l));
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
  const closers: (() => Promise<void>)[] = [];
  const variant = options.probePrompt !== undefined || options.verbalizer !== undefined;
  if (variant && withProbe && options.modelPath === undefined) {
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      '--probe-prompt and --probe-verbalizer need an embedded model (--model)',
    );
  }
  // A prompt or verbalizer variant builds its own probe; the default is the proxy's own assembly.
  const own =
    variant && withProbe && options.modelPath !== undefined
      ? await openVariantProbe({
          modelPath: options.modelPath,
          principles: policy.principles,
          prompt: options.probePrompt ?? 'facts',
          ...(options.verbalizer === undefined ? {} : { verbalizer: options.verbalizer }),
        })
      : undefined;
  if (own !== undefined) closers.push(() => own.close());
  const assembled = await assembleLayers({
    policy,
    // Without the probe, assemble the configuration's no-probe form (the assembly insists on a model
    // for any configuration with the probe); other skipped layers are dropped below.
    configuration: withProbe ? options.config : 'no-probe',
    ...(own !== undefined
      ? { probe: { probe: own } }
      : options.modelPath !== undefined
        ? { probe: { model: options.modelPath } }
        : options.probeUrl !== undefined
          ? {
              probe: {
                url: options.probeUrl,
                ...(options.probeKind === undefined ? {} : { kind: options.probeKind }),
                ...(options.servedModel === undefined ? {} : { servedModel: options.servedModel }),
              },
            }
          : {}),
    ...(options.probeTimeoutMs === undefined ? {} : { probeTimeoutMs: options.probeTimeoutMs }),
    ...(options.probeStrictness === undefined ? {} : { probeStrictness: options.probeStrictness }),
    onResource: (close) => closers.push(close),
  });
  const layers = assembled.filter((l) => wanted.includes(l.name));
  return {
    pipeline: createPipeline(layers),
    layers: layers.map((l) => l.name),
    defaultPrincipal: { id: settings.defaultPrincipal.id, tier },
    settings,
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
