import { type Decision, deny, withReason } from '../decision.js';
import type { JsonObject } from '../json.js';
import { type CallContext, defineLayer, factKey, type Layer, type Next } from '../layer.js';
import type { GateSettings, TierProfile } from '../settings.js';
import { LayerCode } from './codes.js';
import type { Detector, Finding } from './prefilter/detector.js';
import {
  DEFAULT_DETECTORS,
  DEFAULT_SCAN_LIMITS,
  SCAN_LIMIT,
  type ScanLimits,
  scanArguments,
} from './prefilter/scan.js';
import { TIER_FACT } from './tier-layer.js';
import { createTierTable, type TierTable } from './tier-table.js';

/** The pre-filter layer's name in reasons and traces. */
export const PREFILTER_LAYER = 'prefilter';

/** What the pre-filter records for later layers: every finding, and which of them blocked. */
export interface PrefilterFact {
  readonly findings: readonly Finding[];
  /** Ids of the detectors whose findings denied the call (empty when it went on). */
  readonly blocking: readonly string[];
}

/** The fact the pre-filter records on every call it scans (`findings` is empty for clean calls). */
export const PREFILTER_FACT = factKey<PrefilterFact>('prefilter');

/** Options of the pre-filter layer. */
export interface PrefilterLayerOptions {
  /** The detectors to run; default `DEFAULT_DETECTORS` (`hidden-text` always runs). */
  readonly detectors?: readonly Detector[];
  /** Bounds on decoding work; unset fields keep `DEFAULT_SCAN_LIMITS`. */
  readonly limits?: Partial<ScanLimits>;
  /** The tier table to read block lists from when no tier layer ran; default built from settings. */
  readonly table?: TierTable;
}

const CLEAN: PrefilterFact = Object.freeze({ findings: Object.freeze([]), blocking: Object.freeze([]) });

function blocks(block: TierProfile['prefilterBlock'], detector: string): boolean {
  if (detector === SCAN_LIMIT) return true;
  return block === 'all' ? true : block === 'none' ? false : block.includes(detector);
}

function summary(f: Finding): string {
  const via = f.via.length > 0 ? ` (decoded: ${f.via.join(' > ')})` : '';
  return `${f.detector}/${f.code} at ${f.path || '(root)'}${via}`;
}

/**
 * Creates the adversarial pre-filter: normalises every string in the arguments (NFKC, invisible and
 * bidi controls, tag characters, homoglyphs), decodes them recursively within bounds (percent, escapes,
 * HTML entities, shell splicing, base64/base32/hex), and runs named detectors. Findings of detectors
 * in the tier profile's `prefilterBlock` deny (`prefilter_blocked`); the rest are appended to the
 * decision (`prefilter_findings`). Both go to `reason.data.findings` and to `PREFILTER_FACT`.
 * @example
 * const prefilter = createPrefilterLayer(settings);
 */
export function createPrefilterLayer(settings: GateSettings, options: PrefilterLayerOptions = {}): Layer {
  const detectors = options.detectors ?? DEFAULT_DETECTORS;
  const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  let table = options.table;

  function blockList(ctx: CallContext): TierProfile['prefilterBlock'] {
    const fact = ctx.get(TIER_FACT);
    if (fact !== undefined) return fact.profile.prefilterBlock;
    table ??= createTierTable(settings);
    const resolved = table.resolve(ctx.call);
    // Without a known tier there is no profile to relax the filter: every detector blocks.
    return resolved.ok ? resolved.fact.profile.prefilterBlock : 'all';
  }

  async function prefilterLayer(ctx: CallContext, next: Next): Promise<Decision> {
    const findings = scanArguments(ctx.call.arguments, ctx.call.tool, detectors, limits);
    if (findings.length === 0) {
      ctx.set(PREFILTER_FACT, CLEAN);
      return next();
    }
    const block = blockList(ctx);
    const blocking = [
      ...new Set(
        findings.filter((f) => f.recordOnly !== true && blocks(block, f.detector)).map((f) => f.detector),
      ),
    ];
    ctx.set(PREFILTER_FACT, { findings, blocking });
    const data = { findings: findings as unknown as JsonObject[], blocking } as JsonObject;
    if (blocking.length > 0) {
      const first = findings.find((f) => blocking.includes(f.detector)) as Finding;
      return deny(PREFILTER_LAYER, LayerCode.PrefilterBlocked, `blocked by ${summary(first)}`, data);
    }
    const d = await next();
    return withReason(d, {
      layer: PREFILTER_LAYER,
      code: LayerCode.PrefilterFindings,
      detail: findings.map(summary).join('; ').slice(0, 300),
      data,
    });
  }

  return defineLayer(PREFILTER_LAYER, prefilterLayer);
}
