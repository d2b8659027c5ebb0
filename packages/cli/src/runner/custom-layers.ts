import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import {
  AUDIT_LAYER,
  ErrorCode,
  GovernedError,
  type Interceptor,
  type Layer,
  PIPELINE_LAYER,
} from '@governed-mcp/core';
import { CANONICAL_LAYERS, type CanonicalLayer, MEDIATION_LAYER } from '@governed-mcp/middleware-mcp';
import type { CustomLayerEntry } from '../config.js';

/** Where a custom layer runs: just before or just after one built-in layer. */
export type CustomLayerPosition = { readonly before: CanonicalLayer } | { readonly after: CanonicalLayer };

/** A user's layer, loaded and checked, with its place in the pipeline. */
export interface CustomLayer {
  readonly layer: Layer;
  readonly position: CustomLayerPosition;
  /** The module it came from (for messages and logs). */
  readonly module: string;
}

/**
 * Names a custom layer may not take: the built-in layers' and those under which the pipeline, the audit
 * and the mediation give reasons, so an audit record's `layer` always says who decided.
 */
export const RESERVED_LAYER_NAMES: ReadonlySet<string> = new Set([
  ...CANONICAL_LAYERS,
  PIPELINE_LAYER,
  AUDIT_LAYER,
  MEDIATION_LAYER,
]);

function refuse(where: string, message: string, cause?: unknown): never {
  throw new GovernedError(ErrorCode.InvalidConfig, `${where}: ${message}`, { cause });
}

async function importModule(where: string, path: string): Promise<Record<string, unknown>> {
  // Asked of the file itself: a module that exists but imports a missing package failed to load.
  const found = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!found) refuse(where, `module not found: ${path}`);
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    refuse(where, `module ${path} failed to load: ${(err as Error)?.message ?? String(err)}`, err);
  }
}

/**
 * Checks that `value` is a layer the pipeline can run and returns a frozen copy, so the module cannot
 * rename or swap it after the checks. A layer may not fail open: its failures deny like a built-in's.
 */
function checkedLayer(where: string, value: unknown, timeoutMs: number | undefined): Layer {
  if (typeof value !== 'object' || value === null) {
    refuse(where, `not a layer: expected { name, intercept }, got ${value === null ? 'null' : typeof value}`);
  }
  const v = value as { name?: unknown; intercept?: unknown; timeoutMs?: unknown; failMode?: unknown };
  if (typeof v.name !== 'string' || !/^[A-Za-z0-9][\w.:-]*$/.test(v.name)) {
    refuse(where, 'not a layer: `name` must be a non-empty string of letters, digits, `-`, `_`, `.`, `:`');
  }
  const intercept = v.intercept;
  if (typeof intercept !== 'function') refuse(where, `not a layer: '${v.name}' has no intercept function`);
  if (v.failMode !== undefined && v.failMode !== 'closed') {
    refuse(where, `layer '${v.name}' asks for failMode '${String(v.failMode)}': custom layers fail closed`);
  }
  const budget = timeoutMs ?? v.timeoutMs;
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget > 0)) {
    refuse(where, `layer '${v.name}' has an invalid timeoutMs: ${String(budget)}`);
  }
  const run: Interceptor = (ctx, next) => Reflect.apply(intercept, value, [ctx, next]);
  return Object.freeze({
    name: v.name,
    intercept: run,
    ...(budget === undefined ? {} : { timeoutMs: budget as number }),
  });
}

/** Loads one entry's module and makes its layer: the export itself, or what its factory returns. */
async function loadOne(where: string, entry: CustomLayerEntry): Promise<Layer> {
  const ns = await importModule(where, entry.module);
  if (!(entry.export in ns)) {
    const names = Object.keys(ns).join(', ') || 'none';
    refuse(where, `module ${entry.module} has no export '${entry.export}' (it exports: ${names})`);
  }
  const exported = ns[entry.export];
  let value: unknown = exported;
  if (typeof exported === 'function') {
    try {
      value = await Reflect.apply(exported, undefined, [entry.options ?? {}]);
    } catch (err) {
      refuse(where, `factory '${entry.export}' threw: ${(err as Error)?.message ?? String(err)}`, err);
    }
  } else if (entry.options !== undefined) {
    refuse(where, `options are given but export '${entry.export}' is a layer, not a factory`);
  }
  return checkedLayer(where, value, entry.timeoutMs);
}

/**
 * Loads the configuration's `customLayers`, in order. Throws GovernedError('invalid_config') naming the
 * entry when a module cannot be loaded, lacks the export, does not make a layer, or makes one whose name
 * a built-in layer or an earlier entry already has.
 * @example
 * const custom = await loadCustomLayers(config.customLayers);
 * const pipeline = createPipeline(placeCustomLayers(await assembleLayers(options), custom));
 */
export async function loadCustomLayers(entries: readonly CustomLayerEntry[]): Promise<CustomLayer[]> {
  const loaded: CustomLayer[] = [];
  const taken = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const where = `customLayers[${i}]`;
    const position = positionOf(where, entry);
    const layer = await loadOne(where, entry);
    if (RESERVED_LAYER_NAMES.has(layer.name)) {
      refuse(where, `layer name '${layer.name}' is reserved for a built-in layer; choose another`);
    }
    const other = taken.get(layer.name);
    if (other !== undefined) refuse(where, `layer name '${layer.name}' is already taken by ${other}`);
    taken.set(layer.name, where);
    loaded.push({ layer, position, module: entry.module });
  }
  return loaded;
}

function positionOf(where: string, entry: Pick<CustomLayerEntry, 'before' | 'after'>): CustomLayerPosition {
  if (entry.before !== undefined && entry.after === undefined) return { before: entry.before };
  if (entry.after !== undefined && entry.before === undefined) return { after: entry.after };
  refuse(where, 'give exactly one of before, after');
}

/**
 * The gap a custom layer runs in: gap `g` lies just before the `g`-th canonical layer (gap 7 after the
 * last). `before: X` and `after: <the layer before X>` share a gap. Throws on an unknown name.
 */
function gapOf(position: CustomLayerPosition, order: readonly string[]): number {
  const anchor = 'before' in position ? position.before : position.after;
  const at = order.indexOf(anchor);
  if (at < 0) {
    refuse('customLayers', `unknown layer '${anchor}': give one of ${order.join(', ')}`);
  }
  return 'before' in position ? at : at + 1;
}

/**
 * The pipeline's layers with the custom ones in place; a pure function. Each custom layer runs just
 * before (or after) its anchor; when the layer set leaves the anchor out, it runs where the anchor would
 * have run in the canonical order. Custom layers that land between the same two built-in layers run in
 * the order given. The built-in layers keep their order and none is removed.
 * @example
 * placeCustomLayers([schema, tier, policy], [{ layer: spend, position: { before: 'policy' }, module }])
 * // → [schema, tier, spend, policy]
 */
export function placeCustomLayers(
  builtIn: readonly Layer[],
  custom: readonly CustomLayer[],
  order: readonly string[] = CANONICAL_LAYERS,
): Layer[] {
  const gaps: Layer[][] = Array.from({ length: order.length + 1 }, () => []);
  for (const c of custom) gaps[gapOf(c.position, order)]?.push(c.layer);
  const slots = builtIn.map((layer) => {
    const at = order.indexOf(layer.name);
    // A programming error, not a configuration one: assembly builds canonical layers only.
    if (at < 0) throw new TypeError(`built-in layer '${layer.name}' is not in the canonical order`);
    return at;
  });
  if (slots.some((s, i) => i > 0 && s <= (slots[i - 1] as number))) {
    throw new TypeError('built-in layers are not in canonical order');
  }
  const out: Layer[] = [];
  for (const [g, gap] of gaps.entries()) {
    out.push(...gap);
    const i = slots.indexOf(g);
    const layer = i < 0 ? undefined : builtIn[i];
    if (layer !== undefined) out.push(layer);
  }
  return out;
}
