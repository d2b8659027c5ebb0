import { type Decision, deny, withReason } from '../decision.js';
import type { JsonObject } from '../json.js';
import { type CallContext, defineLayer, factKey, type Layer, type Next } from '../layer.js';
import { PATH_FACT, pathFactForms } from '../paths/path-fact.js';
import type { GateSettings, TierProfile } from '../settings.js';
import { LayerCode } from './codes.js';
import type { Detector, Finding } from './prefilter/detector.js';
import { createNetworkCheck } from './prefilter/net/network-check.js';
import type { HostResolver } from './prefilter/net/resolve.js';
import {
  DEFAULT_DETECTORS,
  DEFAULT_SCAN_LIMITS,
  SCAN_LIMIT,
  type ScanLimits,
  scanArguments,
} from './prefilter/scan.js';
import { initShellParser, shellParserReady } from './prefilter/shell/parser.js';
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
  /** Resolves the names a call would fetch (SSRF check); default the system resolver. */
  readonly resolver?: HostResolver;
  /** Loads the shell grammar before the first scan; default `initShellParser`. A rejection denies. */
  readonly loadShellParser?: () => Promise<void>;
  /**
   * Receives a function that starts loading the shell grammar ahead of the first call, for the caller
   * to run when idle. A load that fails there is tried again by the first call, which denies if it fails.
   */
  readonly onPrepare?: (prepare: () => void) => void;
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
  const network = detectors.some((d) => d.id === 'ssrf')
    ? createNetworkCheck(settings, options.resolver)
    : undefined;

  function blockList(ctx: CallContext): TierProfile['prefilterBlock'] {
    const fact = ctx.get(TIER_FACT);
    if (fact !== undefined) return fact.profile.prefilterBlock;
    table ??= createTierTable(settings);
    const resolved = table.resolve(ctx.call);
    // Without a known tier there is no profile to relax the filter: every detector blocks.
    return resolved.ok ? resolved.fact.profile.prefilterBlock : 'all';
  }

  function principalRank(ctx: CallContext): number {
    const fact = ctx.get(TIER_FACT);
    if (fact !== undefined) return fact.principalRank;
    table ??= createTierTable(settings);
    const resolved = table.resolve(ctx.call);
    return resolved.ok ? resolved.fact.principalRank : -1;
  }

  options.onPrepare?.(() => {
    if (!shellParserReady()) void (options.loadShellParser ?? initShellParser)().catch(() => undefined);
  });

  async function prefilterLayer(ctx: CallContext, next: Next): Promise<Decision> {
    // Command text is read by a parser loaded once; without it the call cannot be vouched for.
    if (!shellParserReady()) {
      try {
        await (options.loadShellParser ?? initShellParser)();
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return deny(PREFILTER_LAYER, LayerCode.PrefilterUnavailable, `shell parser unavailable: ${why}`);
      }
    }
    let findings = scanArguments(ctx.call.arguments, ctx.call.tool, detectors, limits);
    // Where the call's paths really lead (the path layer resolved symlinks and spellings): scanned too.
    const resolved = pathFactForms(ctx.get(PATH_FACT));
    if (resolved.length > 0)
      findings = [
        ...findings,
        ...scanArguments({ resolvedPaths: resolved }, ctx.call.tool, detectors, limits),
      ];
    if (network !== undefined) {
      const rank = principalRank(ctx);
      // Loopback allowances: the ssrf findings are taken again from a detector that exempts what the
      // principal's allowances name (decoded views included, which the first scan skipped after a hit).
      const allowing = findings.some((f) => f.detector === 'ssrf') ? network.detectorFor(rank) : undefined;
      if (allowing !== undefined) {
        const again = scanArguments(ctx.call.arguments, ctx.call.tool, [allowing], limits);
        findings = [
          ...findings.filter((f) => f.detector !== 'ssrf'),
          ...again.filter((f) => f.detector === 'ssrf'),
        ];
      }
      findings = [...findings, ...(await network.resolve(ctx.call, rank))];
    }
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
      const first = findings.find((f) => f.recordOnly !== true && blocking.includes(f.detector)) as Finding;
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
