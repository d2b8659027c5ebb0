import { CAPABILITY_CLASSES, canonicalToolName, compileToolGlob, VALUE_KINDS } from '@governed-mcp/core';
import type { FactName, Predicate, Span, Value } from './ast.js';
import type { CallView } from './call-view.js';
import { didYouMean, PolicyErrorCode } from './diagnostics.js';
import type { CallTest, PredicateContext } from './predicate-types.js';

/** What a fact subject holds: a set of names from a fixed list, tool names, a count, or true/false. */
type FactType = 'classes' | 'kinds' | 'tools' | 'count' | 'bool';

const FACT_TYPES: Readonly<Record<FactName, FactType>> = {
  'tool.class': 'classes',
  'session.called': 'classes',
  'session.requested': 'classes',
  'origin.kind': 'kinds',
  'origin.tool': 'tools',
  'session.flagged': 'count',
  'session.step': 'count',
  'origin.instructed': 'bool',
  'origin.flagged': 'bool',
  'origin.sensitive': 'bool',
};

/** Reads a set-valued fact of the call. */
const SETS: Readonly<Partial<Record<FactName, (v: CallView) => ReadonlySet<string>>>> = {
  'tool.class': (v) => v.toolClasses,
  'session.called': (v) => v.calledClasses,
  'session.requested': (v) => v.requestedClasses,
  'origin.kind': (v) => v.origins.kinds,
};

const ORDER: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * Compiles a predicate on a fact subject. Set-valued facts (`tool.class`, `session.called`,
 * `origin.kind`, `origin.tool`) read as "has": `tool.class == deletes` holds when deleting is one of
 * the tool's classes, `in [...]` when any listed one is. Facts describe the call as a whole, so their
 * reading does not depend on the rule's effect. `!=` and `not in` arrive here as their positive forms
 * (the caller negates). Returns undefined after reporting a type error.
 */
export function compileFact(
  p: Predicate & { readonly subject: { readonly kind: 'fact'; readonly name: FactName } },
  ctx: PredicateContext,
): CallTest | undefined {
  const name = p.subject.name;
  const type = FACT_TYPES[name];
  const v = p.value;
  if (type === 'bool') {
    if (p.op !== '==' || v.kind !== 'bool')
      return mismatch(ctx, p.span, `${name} is true or false: write '${name}', '== false' or '!= true'`);
    const field =
      name === 'origin.instructed' ? 'instructed' : name === 'origin.flagged' ? 'flagged' : 'sensitive';
    const want = v.value;
    return (view) => view.origins[field] === want;
  }
  if (type === 'count') {
    const field = name === 'session.flagged' ? 'flagged' : 'step';
    const numbers = numbersOf(p, ctx);
    if (numbers === undefined) return undefined;
    const cmp = ORDER[p.op];
    const bound = numbers[0] ?? 0;
    if (cmp !== undefined) return (view) => cmp(view.sessionCount(field), bound);
    return (view) => numbers.includes(view.sessionCount(field));
  }
  if (p.op !== '==' && p.op !== 'in' && !(type === 'tools' && p.op === 'glob'))
    return mismatch(
      ctx,
      p.span,
      `${name} is a set of ${type === 'tools' ? 'tool names' : type === 'kinds' ? 'value kinds' : 'capability classes'}: compare it with ==, !=, in or not in${type === 'tools' ? ', or glob' : ''}`,
    );
  const items = itemsOf(p, ctx);
  if (items === undefined) return undefined;
  if (type === 'tools') {
    const texts: string[] = [];
    for (const item of items) {
      if (item.kind !== 'string')
        return mismatch(ctx, item.span, `${name} holds tool names: write them in "quotes"`);
      texts.push(p.op === 'glob' ? item.value : canonicalToolName(item.value));
    }
    if (p.op === 'glob') {
      let test: (name: string) => boolean;
      try {
        test = compileToolGlob(texts);
      } catch (e) {
        ctx.report(p.value.span, PolicyErrorCode.InvalidGlob, `invalid glob: ${(e as Error).message}`);
        return undefined;
      }
      return (view) => view.origins.tools.some(test);
    }
    return (view) => view.origins.tools.some((t) => texts.includes(canonicalToolName(t)));
  }
  const known: readonly string[] = type === 'kinds' ? VALUE_KINDS : CAPABILITY_CLASSES;
  const wanted: string[] = [];
  for (const item of items) {
    const word = item.kind === 'ident' ? item.name : item.kind === 'string' ? item.value : undefined;
    if (word === undefined)
      return mismatch(
        ctx,
        item.span,
        `${name} is compared with ${type === 'kinds' ? 'value kinds' : 'capability classes'} such as ${known[0]}`,
      );
    if (!known.includes(word)) {
      const what = type === 'kinds' ? 'value kind' : 'capability class';
      ctx.report(
        item.span,
        PolicyErrorCode.UnknownClass,
        `unknown ${what} '${word}'${didYouMean(word, known)}; ${what}s are ${known.join(', ')}`,
      );
      return undefined;
    }
    wanted.push(word);
  }
  const read = SETS[name];
  if (read === undefined) return undefined;
  return (view) => {
    const has = read(view);
    return wanted.some((w) => has.has(w));
  };
}

function itemsOf(p: Predicate, ctx: PredicateContext): readonly Value[] | undefined {
  const v = p.value;
  if (p.op === 'in' && v.kind !== 'list') return mismatch(ctx, v.span, `'in' takes a [list]`);
  if (p.op === '==' && v.kind === 'list')
    return mismatch(ctx, v.span, `'==' takes one value; use 'in' for a list`);
  return v.kind === 'list' ? v.items : [v];
}

function numbersOf(p: Predicate, ctx: PredicateContext): number[] | undefined {
  const name = p.subject.kind === 'fact' ? p.subject.name : '';
  if (ORDER[p.op] === undefined && p.op !== '==' && p.op !== 'in')
    return mismatch(ctx, p.span, `${name} is a number: compare it with ==, !=, <, <=, >, >=, in or not in`);
  if (ORDER[p.op] !== undefined && p.value.kind === 'list')
    return mismatch(ctx, p.value.span, `'${p.op}' takes one number`);
  const items = itemsOf(p, ctx);
  if (items === undefined) return undefined;
  const out: number[] = [];
  for (const item of items) {
    if (item.kind !== 'number')
      return mismatch(ctx, item.span, `${name} is a number: write a number, not ${describe(item)}`);
    out.push(item.value);
  }
  return out;
}

function describe(v: Value): string {
  return v.kind === 'string'
    ? 'a "string"'
    : v.kind === 'bool'
      ? 'true or false'
      : v.kind === 'ident'
        ? 'a name'
        : `a ${v.kind}`;
}

function mismatch(ctx: PredicateContext, span: Span, message: string): undefined {
  ctx.report(span, PolicyErrorCode.TypeMismatch, message);
  return undefined;
}
