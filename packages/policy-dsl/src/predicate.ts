import { canonicalToolName, compileGlob, compileToolGlob, type GlobTest } from '@governed-mcp/core';
import type { Condition, Predicate, Span } from './ast.js';
import type { CallView } from './call-view.js';
import { PolicyErrorCode } from './diagnostics.js';
import { normalizeText, pathForms, toNumber } from './normalize.js';
import { compileRegex } from './policy-regex.js';
import { compileFact } from './predicate-facts.js';
import { compilePathClass } from './predicate-path-class.js';
import type { CallTest, PredicateContext } from './predicate-types.js';

export type { CallTest, PredicateContext } from './predicate-types.js';

type ValueTest = (value: unknown) => boolean;
const STRING_OPS = new Set(['glob', 'matches', 'contains', 'startswith', 'endswith']);
const ORDER_OPS = new Set(['<', '<=', '>', '>=']);

/**
 * Compiles a condition into a closure. `existential` says how a predicate reads a subject with
 * several values (an array argument, several path forms, `any string`): true for "any value
 * matches", false for "every value matches". A deny rule starts existential and an allow rule
 * universal, and `not` flips it, so the reading is always the one that blocks more: a deny fires if
 * any element would fire it, an allow passes only if every element passes.
 */
export function compileCondition(c: Condition, existential: boolean, ctx: PredicateContext): CallTest {
  switch (c.kind) {
    case 'and': {
      const parts = c.items.map((i) => compileCondition(i, existential, ctx));
      return (v) => parts.every((p) => p(v));
    }
    case 'or': {
      const parts = c.items.map((i) => compileCondition(i, existential, ctx));
      return (v) => parts.some((p) => p(v));
    }
    case 'not': {
      const inner = compileCondition(c.item, !existential, ctx);
      return (v) => !inner(v);
    }
    default:
      if (c.op === '!=' || c.op === 'not-in') {
        const inner = compilePredicate({ ...c, op: c.op === '!=' ? '==' : 'in' }, !existential, ctx);
        return (v) => !inner(v);
      }
      return compilePredicate(c, existential, ctx);
  }
}

function compilePredicate(p: Predicate, existential: boolean, ctx: PredicateContext): CallTest {
  const never: CallTest = () => false;
  const subject = p.subject;
  // Facts are always present (absent facts read as 0, empty, false), so they get their own checks.
  if (subject.kind === 'fact') return compileFact({ ...p, subject }, ctx) ?? never;
  if (p.op === 'exists' || p.op === 'missing') {
    if (subject.kind !== 'arg' && subject.kind !== 'server' && subject.kind !== 'any-string') {
      ctx.report(
        p.span,
        PolicyErrorCode.TypeMismatch,
        `${subject.kind} is always present; '${p.op}' applies to arg.NAME, server and any string`,
      );
      return never;
    }
    const present = values(p);
    return p.op === 'exists' ? (v) => present(v).length > 0 : (v) => present(v).length === 0;
  }
  if (subject.kind === 'tier') return compileTier(p, existential, ctx) ?? never;
  if (p.op === 'is') return compilePathClass(p, existential, ctx) ?? never;
  const isName = subject.kind === 'tool' || subject.kind === 'server';
  if (isName && p.op === 'matches') return compileNameRegex(p, existential, ctx) ?? never;
  const isString = subject.kind !== 'arg';
  if (ORDER_OPS.has(p.op) && isString) {
    ctx.report(
      p.span,
      PolicyErrorCode.TypeMismatch,
      `'${p.op}' compares numbers, but ${describeSubject(p)} is text`,
    );
    return never;
  }
  const test = valueTest(
    p,
    existential,
    subject.kind === 'arg' || subject.kind === 'any-string' ? 'path' : 'name',
    isString,
    isName,
    ctx,
  );
  if (test === undefined) return never;
  // Single-valued subjects skip the array: this path runs for most rules of every call.
  if (subject.kind === 'tool') return (v) => test(v.tool);
  if (subject.kind === 'principal') return (v) => test(normalizeText(v.call.principal.id));
  if (subject.kind === 'method') return (v) => test(normalizeText(v.call.method));
  const get = values(p);
  // `any string` says what it means whatever the polarity: some string in the arguments.
  return existential || subject.kind === 'any-string'
    ? (v) => get(v).some(test)
    : (v) => {
        const found = get(v);
        return found.length > 0 && found.every(test);
      };
}

function values(p: Predicate): (v: CallView) => readonly unknown[] {
  const s = p.subject;
  switch (s.kind) {
    case 'tool':
      return (v) => [v.tool];
    case 'server':
      return (v) => (v.call.server === undefined ? [] : [canonicalToolName(v.call.server)]);
    case 'principal':
      return (v) => [normalizeText(v.call.principal.id)];
    case 'method':
      return (v) => [normalizeText(v.call.method)];
    case 'tier':
      return (v) => [v.call.principal.tier];
    case 'any-string':
      return (v) => v.strings;
    case 'arg': {
      const key = s.path.join('\u0000');
      return (v) => v.arg(s.path, key);
    }
    case 'fact':
      // Facts never reach here (compileFact reads them); nothing to read keeps the types whole.
      return () => [];
  }
}

function describeSubject(p: Predicate): string {
  const s = p.subject;
  if (s.kind === 'fact') return s.name;
  return s.kind === 'arg' ? `arg.${s.path.join('.')}` : s.kind === 'any-string' ? 'any string' : s.kind;
}

/**
 * A regular expression on a tool or server name reads the name as sent (normalised), since a pattern
 * may spell out its separators; a deny also tries the canonical form, so `/^bash$/` meets `Bash`.
 */
function compileNameRegex(p: Predicate, existential: boolean, ctx: PredicateContext): CallTest | undefined {
  const v = p.value;
  if (v.kind !== 'regex') return mismatch(ctx, v.span, `'matches' takes a /regular expression/`);
  const test = compileRegex(v.source, v.flags, v.span, ctx);
  if (test === undefined) return undefined;
  const raw = (view: CallView): string | undefined =>
    p.subject.kind === 'tool' ? view.call.tool.name : view.call.server;
  return (view) => {
    const name = raw(view);
    if (name === undefined) return false;
    return test(normalizeText(name)) || (existential && test(canonicalToolName(name)));
  };
}

function valueTest(
  p: Predicate,
  existential: boolean,
  mode: 'path' | 'name',
  textOnly: boolean,
  names: boolean,
  ctx: PredicateContext,
): ValueTest | undefined {
  const v = p.value;
  const items = v.kind === 'list' ? v.items : [v];
  if (p.op === 'matches') {
    if (v.kind !== 'regex') return mismatch(ctx, v.span, `'matches' takes a /regular expression/`);
    const test = compileRegex(v.source, v.flags, v.span, ctx);
    if (test === undefined) return undefined;
    return (x) => typeof x === 'string' && test(x);
  }
  if (STRING_OPS.has(p.op)) {
    const texts: string[] = [];
    for (const item of items) {
      if (item.kind !== 'string')
        return mismatch(ctx, item.span, `'${p.op}' takes a "quoted string" or a list of them`);
      // Tool and server names compare in canonical form, on both sides (see canonicalToolName).
      texts.push(names ? canonicalToolName(item.value) : normalizeText(item.value));
    }
    if (p.op === 'glob') {
      const raw = items.map((item) => (item.kind === 'string' ? item.value : ''));
      const compile = (t: string | readonly string[]): GlobTest =>
        names ? compileToolGlob(t) : compileGlob(t, mode);
      for (const [i, t] of (names ? raw : texts).entries()) {
        try {
          compile(t);
        } catch (e) {
          ctx.report(items[i]!.span, PolicyErrorCode.InvalidGlob, `invalid glob: ${(e as Error).message}`);
          return undefined;
        }
      }
      // One RE2 program for the whole list: one run per string instead of one per pattern.
      const anyGlob: GlobTest = compile(names ? raw : texts);
      if (mode === 'name') return (x) => typeof x === 'string' && anyGlob(x);
      return (x) => {
        if (typeof x !== 'string') return false;
        const forms = pathForms(x);
        return existential ? forms.some(anyGlob) : forms.every(anyGlob);
      };
    }
    const op =
      p.op === 'contains'
        ? (s: string, t: string) => s.includes(t)
        : p.op === 'startswith'
          ? (s: string, t: string) => s.startsWith(t)
          : (s: string, t: string) => s.endsWith(t);
    return (x) => typeof x === 'string' && texts.some((t) => op(x, t));
  }
  if (ORDER_OPS.has(p.op)) {
    if (v.kind !== 'number') return mismatch(ctx, v.span, `'${p.op}' takes a number`);
    const n = v.value;
    const cmp = {
      '<': (a: number) => a < n,
      '<=': (a: number) => a <= n,
      '>': (a: number) => a > n,
      '>=': (a: number) => a >= n,
    }[p.op as '<'];
    // A present value that is not a number cannot be compared: read in the direction that blocks.
    return (x) => {
      const a = toNumber(x);
      return a === undefined ? existential : cmp(a);
    };
  }
  // == and in: equality against one or several literals.
  if (p.op === 'in' && v.kind !== 'list') return mismatch(ctx, v.span, `'in' takes a [list]`);
  if (p.op === '==' && v.kind === 'list')
    return mismatch(ctx, v.span, `'==' takes one value; use 'in' for a list`);
  const tests: ValueTest[] = [];
  for (const item of items) {
    if (item.kind === 'string') {
      const t = names ? canonicalToolName(item.value) : normalizeText(item.value);
      tests.push((x) => x === t);
    } else if (textOnly) {
      return mismatch(ctx, item.span, `${describeSubject(p)} is text: write the value in "quotes"`);
    } else if (item.kind === 'number') {
      const n = item.value;
      tests.push((x) => toNumber(x) === n);
    } else if (item.kind === 'bool') {
      const b = item.value;
      // Many servers read the strings "true" and "false" as booleans, so this layer does too.
      const text = String(b);
      tests.push((x) => x === b || x === text);
    } else return mismatch(ctx, item.span, `expected a "string", a number, true or false`);
  }
  return tests.length === 1 ? tests[0] : (x) => tests.some((t) => t(x));
}

function compileTier(p: Predicate, existential: boolean, ctx: PredicateContext): CallTest | undefined {
  const v = p.value;
  if (!ORDER_OPS.has(p.op) && p.op !== '==' && p.op !== 'in') {
    return mismatch(ctx, p.span, `tier is compared with ==, !=, in, not in, <, <=, > or >=, not '${p.op}'`);
  }
  if (p.op === 'in' && v.kind !== 'list') return mismatch(ctx, v.span, `'in' takes a [list]`);
  if (p.op !== 'in' && v.kind === 'list')
    return mismatch(ctx, v.span, `'${p.op}' takes one tier; use 'in' for a list`);
  const names: string[] = [];
  for (const item of v.kind === 'list' ? v.items : [v]) {
    const name = item.kind === 'ident' ? item.name : item.kind === 'string' ? item.value : undefined;
    if (name === undefined) return mismatch(ctx, item.span, 'expected a tier name');
    if (!ctx.tiers.includes(name)) {
      ctx.report(
        item.span,
        PolicyErrorCode.UnknownTier,
        `unknown tier '${name}'; tiers are ${ctx.tiers.join(', ')}`,
      );
      return undefined;
    }
    names.push(name);
  }
  if (!ORDER_OPS.has(p.op)) return (call) => names.includes(call.call.principal.tier);
  const rank = new Map(ctx.tiers.map((t, i) => [t, i]));
  const bound = rank.get(names[0]!)!;
  const cmp = {
    '<': (a: number) => a < bound,
    '<=': (a: number) => a <= bound,
    '>': (a: number) => a > bound,
    '>=': (a: number) => a >= bound,
  }[p.op as '<'];
  // A principal whose tier is not in the table cannot be ranked: read in the direction that blocks.
  return (call) => {
    const r = rank.get(call.call.principal.tier);
    return r === undefined ? existential : cmp(r);
  };
}

function mismatch(ctx: PredicateContext, span: Span, message: string): undefined {
  ctx.report(span, PolicyErrorCode.TypeMismatch, message);
  return undefined;
}
