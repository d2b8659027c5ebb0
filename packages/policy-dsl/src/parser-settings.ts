import { CAPABILITY_CLASSES, type CapabilityClass } from '@governed-mcp/core';
import type { Setting } from './ast.js';
import { didYouMean, PolicyErrorCode } from './diagnostics.js';
import type { TokenStream } from './token-stream.js';

const TIER_SETTINGS = ['prefilter', 'probe', 'limit'] as const;
const TOOL_SETTINGS = [...TIER_SETTINGS, 'require'] as const;
const PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** What a `tool` block applies to: tools matching a glob, or (`tool class …`) tools of some classes. */
export interface ToolHead {
  readonly match: string;
  readonly classes?: readonly CapabilityClass[];
}

/**
 * Parses the head of a `tool` block after the keyword: a quoted glob (`tool "*payment*"`), or
 * `class NAME` / `class [NAME, …]` (`tool class [moves-money, deletes]`), which applies to every tool
 * with at least one of the classes. An unknown class is an `unknown_class` error with a suggestion.
 */
export function parseToolHead(s: TokenStream): ToolHead | undefined {
  if (!s.peekWord('class')) {
    const glob = s.expectString('a tool name or glob in quotes, or class NAME');
    return glob === undefined ? undefined : { match: glob.text };
  }
  s.next();
  const listed = s.peekPunct('[');
  if (listed) s.next();
  const classes: CapabilityClass[] = [];
  for (;;) {
    const t = s.expectIdent('a capability class such as moves-money');
    if (t === undefined) return undefined;
    const known = CAPABILITY_CLASSES.find((c) => c === t.text);
    if (known === undefined) {
      s.error(
        t,
        PolicyErrorCode.UnknownClass,
        `unknown capability class '${t.text}'${didYouMean(t.text, CAPABILITY_CLASSES)}; classes are ${CAPABILITY_CLASSES.join(', ')}`,
      );
      return undefined;
    }
    if (!classes.includes(known)) classes.push(known);
    if (!listed || !s.peekPunct(',')) break;
    s.next();
  }
  if (listed && !s.expectPunct(']')) return undefined;
  return { match: '*', classes };
}

/**
 * Parses one setting line of a `tier` or `tool` block:
 * `prefilter block all|none|NAME, …`, `probe on|off [alpha N] [threshold N]`,
 * `limit per-tool|per-principal N refill N/s|m|h`, `limit concurrent N`, and (tools only) `require tier NAME`.
 */
export function parseSetting(s: TokenStream, block: 'tier' | 'tool'): Setting | undefined {
  const t = s.next();
  const known: readonly string[] = block === 'tier' ? TIER_SETTINGS : TOOL_SETTINGS;
  if (t.kind !== 'ident' || !known.includes(t.text)) {
    const word = t.kind === 'ident' ? t.text : '';
    const where = word === 'require' ? ` ('require tier' belongs in tool blocks)` : didYouMean(word, known);
    s.error(
      t,
      PolicyErrorCode.UnknownField,
      `unknown ${block} setting ${s.describe(t)}${where}; expected ${known.join(', ')} or end`,
    );
    return undefined;
  }
  let setting: Setting | undefined;
  switch (t.text) {
    case 'prefilter':
      setting = parsePrefilter(s);
      break;
    case 'probe':
      setting = parseProbe(s);
      break;
    case 'limit':
      setting = parseLimit(s);
      break;
    default: {
      if (!s.expectWord('tier')) return undefined;
      const tier = s.expectIdent('a tier name');
      setting = tier === undefined ? undefined : { kind: 'require-tier', tier: tier.text, span: tier.span };
    }
  }
  if (setting === undefined || !s.endOfLine()) return undefined;
  return { ...setting, span: s.spanFrom(t) };
}

function parsePrefilter(s: TokenStream): Setting | undefined {
  if (!s.expectWord('block')) return undefined;
  const first = s.expectIdent('all, none or detector names');
  if (first === undefined) return undefined;
  if (first.text === 'all' || first.text === 'none')
    return { kind: 'prefilter', block: first.text, span: first.span };
  const names = [first.text];
  while (s.peekPunct(',')) {
    s.next();
    const n = s.expectIdent('a detector name');
    if (n === undefined) return undefined;
    names.push(n.text);
  }
  return { kind: 'prefilter', block: names, span: first.span };
}

function parseProbe(s: TokenStream): Setting | undefined {
  const start = s.peek();
  let enabled: boolean | undefined;
  let alpha: number | undefined;
  let threshold: number | undefined;
  while (!s.at('newline') && !s.at('eof')) {
    const t = s.next();
    if (t.kind === 'ident' && (t.text === 'on' || t.text === 'off')) enabled = t.text === 'on';
    else if (t.kind === 'ident' && t.text === 'alpha') {
      const at = s.peek();
      alpha = s.expectNumber('a number from 0 to 1 after alpha');
      if (alpha === undefined) return undefined;
      if (alpha < 0 || alpha > 1)
        s.error(at, PolicyErrorCode.OutOfRange, `probe alpha must be from 0 to 1, got ${alpha}`);
    } else if (t.kind === 'ident' && t.text === 'threshold') {
      const at = s.peek();
      threshold = s.expectNumber('a number between 0 and 1 after threshold');
      if (threshold === undefined) return undefined;
      if (!(threshold > 0 && threshold < 1)) {
        s.error(
          at,
          PolicyErrorCode.OutOfRange,
          `probe threshold must be strictly between 0 and 1, got ${threshold}`,
        );
      }
    } else {
      const word = t.kind === 'ident' ? t.text : '';
      s.error(
        t,
        PolicyErrorCode.UnknownField,
        `unknown probe setting ${s.describe(t)}${didYouMean(word, ['on', 'off', 'alpha', 'threshold'])}`,
      );
      return undefined;
    }
  }
  if (enabled === undefined && alpha === undefined && threshold === undefined) {
    s.error(start, PolicyErrorCode.Missing, 'probe needs on, off, alpha N or threshold N');
    return undefined;
  }
  return {
    kind: 'probe',
    ...(enabled === undefined ? {} : { enabled }),
    ...(alpha === undefined ? {} : { alpha }),
    ...(threshold === undefined ? {} : { threshold }),
    span: start.span,
  };
}

function parseLimit(s: TokenStream): Setting | undefined {
  const scope = s.expectIdent('per-tool, per-principal or concurrent');
  if (scope === undefined) return undefined;
  const countAt = s.peek();
  const count = s.expectNumber('a count');
  if (count === undefined) return undefined;
  if (!(Number.isInteger(count) && count > 0)) {
    s.error(countAt, PolicyErrorCode.OutOfRange, `a limit must be a whole number above 0, got ${count}`);
    return undefined;
  }
  if (scope.text === 'concurrent') return { kind: 'concurrent', max: count, span: scope.span };
  if (scope.text !== 'per-tool' && scope.text !== 'per-principal') {
    s.error(
      scope,
      PolicyErrorCode.UnknownField,
      `unknown limit '${scope.text}'${didYouMean(scope.text, ['per-tool', 'per-principal', 'concurrent'])}`,
    );
    return undefined;
  }
  if (!s.expectWord('refill')) return undefined;
  const rateAt = s.peek();
  const rate = s.expectNumber('a refill rate such as 2/s');
  if (rate === undefined || !s.expectPunct('/')) return undefined;
  const unit = s.expectIdent('a time unit (s, m or h)');
  if (unit === undefined) return undefined;
  const per = PER_UNIT[unit.text];
  if (per === undefined) {
    s.error(unit, PolicyErrorCode.UnknownField, `unknown time unit '${unit.text}'; use s, m or h`);
    return undefined;
  }
  if (!(rate > 0)) {
    s.error(rateAt, PolicyErrorCode.OutOfRange, `a refill rate must be above 0, got ${rate}`);
    return undefined;
  }
  return { kind: 'limit', scope: scope.text, capacity: count, refillPerSec: rate / per, span: scope.span };
}
