import { type Decision, deny } from '../decision.js';
import { defineLayer, factKey, type Layer } from '../layer.js';
import type { GateSettings } from '../settings.js';
import { LayerCode } from './codes.js';
import { createTierTable, type TierFact, type TierTable } from './tier-table.js';

/** The tier layer's name in reasons and traces. */
export const TIER_LAYER = 'tier';

/**
 * The fact the tier layer records: the principal's tier, the tier the tool requires and the strictness
 * profile (pre-filter block list, probe alpha/threshold, rate limits) the later layers apply.
 */
export const TIER_FACT = factKey<TierFact>('tier');

/** Options of the tier layer. */
export interface TierLayerOptions {
  /** A table built elsewhere (to share its cache with other layers); default: built from `settings`. */
  readonly table?: TierTable;
}

/**
 * Creates the trust-tier layer: denies principals whose tier is unknown or below the tier the tool
 * requires (from `settings.tools`, else from the tool's annotations: see `ANNOTATION_RANKS`), and
 * records `TIER_FACT` for the layers after it.
 * @example
 * const tier = createTierLayer(parseSettings(config));
 */
export function createTierLayer(settings: GateSettings, options: TierLayerOptions = {}): Layer {
  const table = options.table ?? createTierTable(settings);
  return defineLayer(TIER_LAYER, function tierLayer(ctx, next): Promise<Decision> {
    const resolved = table.resolve(ctx.call);
    if (!resolved.ok) return Promise.resolve(deny(TIER_LAYER, resolved.code, resolved.detail, resolved.data));
    const fact = resolved.fact;
    if (fact.principalRank < fact.requiredRank) {
      return Promise.resolve(
        deny(
          TIER_LAYER,
          LayerCode.TierInsufficient,
          `tool '${ctx.call.tool.name}' requires tier '${fact.requiredTier}'; principal has '${fact.principalTier}'`,
          { requiredTier: fact.requiredTier, principalTier: fact.principalTier, source: fact.source },
        ),
      );
    }
    ctx.set(TIER_FACT, fact);
    return next();
  });
}
