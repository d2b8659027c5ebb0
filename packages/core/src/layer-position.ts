import { ErrorCode, GovernedError } from './errors.js';
import type { Layer } from './layer.js';

/**
 * Where `Pipeline.with()` puts a layer: outermost (`'first'`, it sees every call first), innermost
 * (`'last'`), next to a named layer, or in a named layer's place.
 */
export type LayerPosition =
  | 'first'
  | 'last'
  | { readonly before: string }
  | { readonly after: string }
  | { readonly replacing: string };

/** The index of the layer named `name`; throws `invalid_config` when there is none. */
export function indexOfLayer(layers: readonly Layer[], name: string): number {
  const at = layers.findIndex((l) => l.name === name);
  if (at < 0) throw new GovernedError(ErrorCode.InvalidConfig, `the pipeline has no layer named '${name}'`);
  return at;
}

const ANCHORS = ['before', 'after', 'replacing'] as const;

/** The index `position` names in `layers`, and how many layers the new one replaces there. */
function slotOf(layers: readonly Layer[], position: LayerPosition): readonly [at: number, replaced: 0 | 1] {
  if (position === 'first') return [0, 0];
  if (position === 'last') return [layers.length, 0];
  const anchors =
    typeof position === 'object' && position !== null ? ANCHORS.filter((k) => k in position) : [];
  if (anchors.length === 1) {
    const p = position as { before?: string; after?: string; replacing?: string };
    if (p.before !== undefined) return [indexOfLayer(layers, p.before), 0];
    if (p.after !== undefined) return [indexOfLayer(layers, p.after) + 1, 0];
    if (p.replacing !== undefined) return [indexOfLayer(layers, p.replacing), 1];
  }
  throw new GovernedError(
    ErrorCode.InvalidConfig,
    `a layer position is 'first', 'last', { before }, { after } or { replacing }, got ${JSON.stringify(position)}`,
  );
}

/** `layers` with `layer` placed at `position`; refuses a name that another layer keeps. */
export function placeLayer(layers: readonly Layer[], layer: Layer, position: LayerPosition): Layer[] {
  const [at, replaced] = slotOf(layers, position);
  const name = (layer as Partial<Layer> | undefined)?.name;
  if (layers.some((l, i) => l.name === name && !(replaced === 1 && i === at))) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      `the pipeline already has a layer named '${name}'; use { replacing: '${name}' } to swap it`,
    );
  }
  return layers.toSpliced(at, replaced, layer);
}
