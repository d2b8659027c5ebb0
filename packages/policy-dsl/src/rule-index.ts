import { canonicalToolName } from '@governed-mcp/core';
import type { Condition } from './ast.js';
import type { CallView } from './call-view.js';
import type { CallTest } from './predicate.js';

/** A compiled rule as the matcher holds it. */
export interface IndexedRule {
  /** Position in the policy: among rules of one effect, the lowest matching index decides. */
  readonly index: number;
  readonly test: CallTest;
  readonly tools: readonly string[] | undefined;
}

/** Rules of one effect: those that name their tools, by tool name, and the rest in order. */
export interface EntrySet<E extends IndexedRule> {
  readonly general: readonly E[];
  readonly byTool: ReadonlyMap<string, readonly E[]>;
}

/**
 * The tool names a condition requires, from a top-level `tool == "x"` or `tool in [...]` conjunct, in
 * canonical form (the form `CallView.tool` has). A call for any other tool cannot match the rule, so
 * the matcher need not try it.
 */
export function requiredTools(when: Condition | undefined): string[] | undefined {
  const conjuncts: Condition[] = [];
  const flatten = (c: Condition): void => {
    if (c.kind === 'and') for (const i of c.items) flatten(i);
    else conjuncts.push(c);
  };
  if (when !== undefined) flatten(when);
  for (const c of conjuncts) {
    if (c.kind !== 'predicate' || c.subject.kind !== 'tool') continue;
    const items = c.op === '==' ? [c.value] : c.op === 'in' && c.value.kind === 'list' ? c.value.items : [];
    if (items.length === 0 || items.some((v) => v.kind !== 'string')) continue;
    return items.map((v) => canonicalToolName(v.kind === 'string' ? v.value : ''));
  }
  return undefined;
}

/** Splits rules into those indexed by tool name and the general rest, each kept in policy order. */
export function indexByTool<E extends IndexedRule>(entries: readonly E[]): EntrySet<E> {
  const general: E[] = [];
  const byTool = new Map<string, E[]>();
  for (const e of entries) {
    if (e.tools === undefined) {
      general.push(e);
      continue;
    }
    for (const name of new Set(e.tools)) {
      const list = byTool.get(name);
      if (list === undefined) byTool.set(name, [e]);
      else list.push(e);
    }
  }
  return { general, byTool };
}

/** The first rule, in policy order, that matches: the general list and the tool's list merged. */
export function firstMatch<E extends IndexedRule>(set: EntrySet<E>, view: CallView): E | undefined {
  const general = set.general;
  const specific = set.byTool.get(view.tool);
  if (specific === undefined) {
    for (const e of general) if (e.test(view)) return e;
    return undefined;
  }
  let i = 0;
  let j = 0;
  while (i < general.length || j < specific.length) {
    const g = general[i];
    const s = specific[j];
    let e: E;
    if (s === undefined || (g !== undefined && g.index < s.index)) {
      e = g!;
      i++;
    } else {
      e = s;
      j++;
    }
    if (e.test(view)) return e;
  }
  return undefined;
}
