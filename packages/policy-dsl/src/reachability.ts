import { canonicalToolName } from '@governed-mcp/core';
import type { Condition, Predicate, RuleEffect, RuleStatement, Span, Value } from './ast.js';
import { PolicyErrorCode } from './diagnostics.js';
import type { Located } from './settings-compile.js';

/** A rule with where it was written, for messages that point back at it. */
export interface PlacedRule extends Located<RuleStatement> {
  /** `file:line` of the rule, for messages about other rules. */
  readonly where: string;
}

/** The top-level conjuncts of a condition, each as a canonical key (spans removed). */
function conjuncts(when: Condition | undefined): { keys: Set<string>; items: Condition[] } {
  const items: Condition[] = [];
  const flatten = (c: Condition): void => {
    if (c.kind === 'and') for (const i of c.items) flatten(i);
    else items.push(c);
  };
  if (when !== undefined) flatten(when);
  return {
    keys: new Set(items.map((c) => JSON.stringify(canonical(c), (k, v) => (k === 'span' ? undefined : v)))),
    items,
  };
}

// Glob syntax other than `*`: such a pattern is compared as written.
const GLOB_SYNTAX = /[?[\]{}\\]/;

/**
 * A condition with its tool and server names in the form the matcher compares
 * (`canonicalToolName`): `tool == "WriteFile"` and `tool == "write_file"` are one condition, so
 * are `tool glob "*Write*"` and `tool glob "*write*"`, and the names of a list are sorted. A glob
 * with no wildcard is an equality. Globs with `?`, classes or braces are compared as written.
 */
function canonical(c: Condition): Condition {
  if (c.kind === 'not') return { ...c, item: canonical(c.item) };
  if (c.kind !== 'predicate') return { ...c, items: c.items.map(canonical) };
  if (c.subject.kind !== 'tool' && c.subject.kind !== 'server') return c;
  const glob = c.op === 'glob';
  if (!glob && c.op !== '==' && c.op !== '!=' && c.op !== 'in' && c.op !== 'not-in') return c;
  const v = c.value;
  if (v.kind !== 'list') {
    const name = nameOf(v, glob);
    return glob &&
      name.kind === 'string' &&
      !name.value.includes('*') &&
      !GLOB_SYNTAX.test(v.kind === 'string' ? v.value : '')
      ? { ...c, op: '==', value: name }
      : { ...c, value: name };
  }
  const byKey = new Map(v.items.map((i) => nameOf(i, glob)).map((i) => [JSON.stringify(i, noSpan), i]));
  const items = [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, i]) => i);
  return { ...c, value: { ...v, items } };
}

function noSpan(k: string, v: unknown): unknown {
  return k === 'span' ? undefined : v;
}

/** A name, or a glob of `*` and literal text, in canonical form; other values as written. */
function nameOf(v: Value, glob: boolean): Value {
  if (v.kind !== 'string' || (glob && GLOB_SYNTAX.test(v.value))) return v;
  return { ...v, value: v.value.split('*').map(canonicalToolName).join('*') };
}

function subset(a: Set<string>, b: Set<string>): boolean {
  if (a.size > b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** How effects rank when several rules match: the higher one decides. */
const RANK: Readonly<Record<RuleEffect, number>> = { allow: 0, ask: 1, deny: 2 };

/**
 * Reports rules that can never decide a call: rules whose conditions contradict each other, rules
 * that a rule of a higher effect always overrides (deny over ask and allow, ask over allow), and
 * rules that an earlier rule of the same effect always decides first. The analysis is syntactic: it finds the common mistakes, not all.
 */
export function reportUnreachable(rules: readonly PlacedRule[], tiers: readonly string[]): void {
  const sets = rules.map((r) => conjuncts(r.node.when));
  // A rule can only cover another if all its conjuncts are among the other's: index each rule under
  // one of its conjuncts, so each rule meets only candidates that share it (not every other rule).
  const matchAll: number[] = [];
  const byKey = new Map<string, number[]>();
  for (const [j, set] of sets.entries()) {
    const first = set.keys.values().next();
    if (first.done === true) matchAll.push(j);
    else byKey.set(first.value, [...(byKey.get(first.value) ?? []), j]);
  }
  for (const [i, rule] of rules.entries()) {
    const mine = sets[i]!;
    const why = contradiction(mine.items, tiers);
    if (why !== undefined) {
      warn(rule, rule.node.span, `rule '${rule.node.name}' can never match: ${why}`);
      continue;
    }
    const candidates = [...matchAll];
    for (const key of mine.keys) candidates.push(...(byKey.get(key) ?? []));
    candidates.sort((a, b) => a - b);
    for (const j of candidates) {
      const other = rules[j]!;
      if (j === i) continue;
      // Deny outranks ask and allow; ask outranks allow.
      const outranks = RANK[other.node.effect] > RANK[rule.node.effect];
      const earlierSame = j < i && other.node.effect === rule.node.effect;
      if (!outranks && !earlierSame) continue;
      if (!subset(sets[j]!.keys, mine.keys)) continue;
      const how = outranks
        ? `${other.node.effect} rule '${other.node.name}' (${other.where}) matches every call it matches, and ${other.node.effect} wins over ${rule.node.effect}`
        : `${other.node.effect} rule '${other.node.name}' (${other.where}) matches every call it matches and comes first`;
      warn(rule, rule.node.span, `rule '${rule.node.name}' can never decide: ${how}`);
      break;
    }
  }
}

function warn(rule: PlacedRule, span: Span, message: string): void {
  rule.report(span, PolicyErrorCode.UnreachableRule, message);
}

const SET_FACTS: ReadonlySet<string> = new Set([
  'tool.class',
  'session.called',
  'origin.kind',
  'origin.tool',
]);

function subjectKey(p: Predicate): string {
  const s = p.subject;
  return s.kind === 'arg' ? `arg.${s.path.join('.')}` : s.kind === 'fact' ? s.name : s.kind;
}

/** Why these conjuncts cannot all hold, when it is visible from the text. */
function contradiction(items: readonly Condition[], tiers: readonly string[]): string | undefined {
  const equal = new Map<string, readonly [compared: string, written: string]>();
  let allowed = new Set(tiers);
  for (const c of items) {
    if (c.kind !== 'predicate') continue;
    const key = subjectKey(c);
    if (c.subject.kind === 'tier') {
      allowed = new Set([...allowed].filter((t) => tierHolds(c, t, tiers)));
      if (allowed.size === 0) return 'no tier satisfies its tier conditions';
      continue;
    }
    // Only single-valued subjects: an array argument can equal "a" in one element and "b" in another.
    if (c.op !== '==' || c.subject.kind === 'any-string' || c.subject.kind === 'arg') continue;
    // A set-valued fact (tool.class, session.called, origin.kind, origin.tool) can hold both values.
    if (c.subject.kind === 'fact' && SET_FACTS.has(c.subject.name)) continue;
    const v = c.value;
    const literal =
      v.kind === 'string' || v.kind === 'number' || v.kind === 'bool' ? JSON.stringify(v.value) : undefined;
    if (literal === undefined) continue;
    // Tool and server names compare in canonical form: "WriteFile" and "write_file" are one name.
    const names = c.subject.kind === 'tool' || c.subject.kind === 'server';
    const same = names && v.kind === 'string' ? canonicalToolName(v.value) : literal;
    const before = equal.get(key);
    if (before !== undefined && before[0] !== same)
      return `${key} cannot equal both ${before[1]} and ${literal}`;
    equal.set(key, [same, literal]);
  }
  return undefined;
}

function tierHolds(p: Predicate, tier: string, tiers: readonly string[]): boolean {
  const v = p.value;
  const names = (v.kind === 'list' ? v.items : [v]).map((i) =>
    i.kind === 'ident' ? i.name : i.kind === 'string' ? i.value : '',
  );
  const r = tiers.indexOf(tier);
  const b = tiers.indexOf(names[0] ?? '');
  switch (p.op) {
    case '==':
    case 'in':
      return names.includes(tier);
    case '!=':
    case 'not-in':
      return !names.includes(tier);
    case '<':
      return r < b;
    case '<=':
      return r <= b;
    case '>':
      return r > b;
    case '>=':
      return r >= b;
    default:
      return true;
  }
}
