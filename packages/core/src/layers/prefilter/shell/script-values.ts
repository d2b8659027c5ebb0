import type { ScriptLang, ScriptToken, StringPart } from './script-lexer.js';

/** Marks the place of a part whose value is not known (a variable, a call's result). */
export const UNKNOWN = '\u0000';

/** A string as far as the code's literals tell it; `UNKNOWN` stands for each part they do not. */
export interface ScriptValue {
  readonly text: string;
  /** Some part comes from a call whose value is not known. */
  readonly dynamic: boolean;
}

/** An argument of a call: a string, a list of strings (an argv), or something else (skipped). */
export type ScriptTerm =
  | { readonly kind: 'str'; readonly value: ScriptValue }
  | { readonly kind: 'list'; readonly items: readonly ScriptValue[] }
  | { readonly kind: 'skip' };

/** What names hold: strings and lists assigned from literals earlier in the code. */
export type ScriptVars = Map<string, ScriptTerm>;

const CONCAT: Record<ScriptLang, readonly string[]> = {
  python: ['+'],
  js: ['+'],
  perl: ['.'],
  ruby: ['+'],
  php: ['.'],
  lua: ['..'],
  awk: [],
  applescript: ['&'],
  vim: ['.', '..'],
};
/** Languages where two strings side by side are one (`"a" "b"`). */
const ADJACENT = new Set<ScriptLang>(['python', 'ruby', 'awk']);
const STOP = new Set([',', ')', ']', '}', ';', ':', '=>', 'if', 'unless', 'or', 'and', 'until', 'while']);

/** Expressions that name the home directory in each language, read as `~` (as the shell reads `$HOME`). */
const HOME: readonly RegExp[] = [
  /^(?:os\.)?(?:path\.)?expanduser\("(~[^"]*)"\)$/,
  /^(?:File\.)?expand_path\("(~[^"]*)"\)$/,
  /^(?:os\.)?environ(?:\["HOME"\]|\.get\("HOME"\))$|^(?:os\.)?getenv\("HOME"\)$/,
  /^(?:str\()?(?:pathlib\.)?Path\.home\(\)\)?$/,
  /^.*\bhomedir\(\)$|^process\.env(?:\.HOME|\["HOME"\])$|^Deno\.env\.get\("HOME"\)$/,
  /^\$ENV\{"?HOME"?\}$|^ENV(?:\["HOME"\]|\.fetch\("HOME"\))$|^Dir\.home$|^ENVIRON\["HOME"\]$/,
  /^\$_(?:SERVER|ENV)\["?HOME"?\]$|^\$HOME$|^expand\("~"\)$|^os\.getenv\("HOME"\)$/,
];

/** The value of an expression's source when it names the home directory or a known variable. */
function known(source: string, vars: ScriptVars): ScriptValue | undefined {
  const s = source.replace(/\\/g, '').replace(/'/g, '"').replace(/\s+/g, '');
  for (const re of HOME) {
    const m = re.exec(s);
    if (m !== null) return { text: m[1] ?? '~', dynamic: false };
  }
  const v = vars.get(s.replace(/^\$\{?|\}$/g, '')) ?? vars.get(s);
  return v?.kind === 'str' ? v.value : undefined;
}

/** The value of a string token's parts: literal text, with interpolations resolved where known. */
export function partsValue(parts: readonly StringPart[], vars: ScriptVars): ScriptValue {
  let text = '';
  let dynamic = false;
  for (const p of parts) {
    const v = p.expr ? known(/^(?:\$\{|#\{|\{)(.*)\}$/s.exec(p.text)?.[1] ?? p.text, vars) : undefined;
    text += p.expr ? (v?.text ?? UNKNOWN) : p.text;
    dynamic ||= p.expr && (v === undefined || v.dynamic);
  }
  return { text, dynamic };
}

/** The source of tokens `from`..`to` as one compact text (strings in double quotes). */
export function sourceOf(tokens: readonly ScriptToken[], from: number, to: number): string {
  let s = '';
  for (const t of tokens.slice(from, to)) {
    if ('parts' in t) s += `"${t.parts.map((p) => p.text).join('')}"`;
    else if ('text' in t) s += t.text;
  }
  return s;
}

const closers = new WeakMap<readonly ScriptToken[], Int32Array>();

/** The index just past the bracket that closes the one at `at` (matched once per token list). */
export function closing(tokens: readonly ScriptToken[], at: number): number {
  let match = closers.get(tokens);
  if (match === undefined) {
    match = new Int32Array(tokens.length).fill(tokens.length);
    const open: number[] = [];
    tokens.forEach((t, i) => {
      if (t.kind !== 'punct') return;
      if (t.text === '(' || t.text === '[' || t.text === '{') open.push(i);
      else if (t.text === ')' || t.text === ']' || t.text === '}') {
        const o = open.pop();
        if (o !== undefined) (match as Int32Array)[o] = i + 1;
      }
    });
    closers.set(tokens, match);
  }
  return match[at] ?? tokens.length;
}

function isPunct(t: ScriptToken | undefined, text: string): boolean {
  return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
}

/** Replaces `%s`-style or `{}` placeholders with `args`, in order; the rest stays unknown. */
function format(template: ScriptValue, args: readonly ScriptValue[], style: '%' | '{}'): ScriptValue {
  let k = 0;
  let dynamic = template.dynamic;
  const re = style === '%' ? /%[-#0 +]*\d*(?:\.\d+)?[sdrif]/g : /\{\d*\}/g;
  const text = template.text.replace(re, (m) => {
    const n = style === '{}' && m.length > 2 ? Number(m.slice(1, -1)) : k++;
    const v = args[n];
    dynamic ||= v === undefined || v.dynamic;
    return v?.text ?? UNKNOWN;
  });
  return { text, dynamic };
}

/** Reads the expressions separated by `,` from `at` up to the bracket that ends the list. */
export function readList(
  tokens: readonly ScriptToken[],
  at: number,
  lang: ScriptLang,
  vars: ScriptVars,
): { terms: ScriptTerm[]; next: number } {
  const terms: ScriptTerm[] = [];
  let i = at;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t?.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}' || t.text === ';')) break;
    if (isPunct(t, ',')) {
      i++;
      continue;
    }
    // A keyword argument (`shell=True`, `exception: true`): only `args=`/`cmd=` carry the command.
    const kw =
      t?.kind === 'ident' &&
      (isPunct(tokens[i + 1], '=') || (isPunct(tokens[i + 1], ':') && lang === 'ruby'));
    if (kw && !/^(?:args|cmd|command)$/.test((t as { text: string }).text)) {
      const r = readExpr(tokens, i + 2, lang, vars);
      i = r.next;
      continue;
    }
    const r = readExpr(tokens, kw ? i + 2 : i, lang, vars);
    terms.push(r.term);
    if (r.next === i) i++;
    else i = r.next;
  }
  return { terms, next: i };
}

function join(values: readonly ScriptValue[]): ScriptValue {
  return { text: values.map((v) => v.text).join(''), dynamic: values.some((v) => v.dynamic) };
}

function readPrimary(
  tokens: readonly ScriptToken[],
  at: number,
  lang: ScriptLang,
  vars: ScriptVars,
): { term: ScriptTerm; next: number } {
  const t = tokens[at];
  if (t === undefined) return { term: { kind: 'skip' }, next: at };
  if (t.kind === 'str') {
    let value = partsValue(t.parts, vars);
    let i = at + 1;
    // `"…" % (a, b)` and `"…".format(a, b)`: placeholders filled with what the code spells out.
    if (lang === 'python' && isPunct(tokens[i], '%')) {
      const r = isPunct(tokens[i + 1], '(') ? readList(tokens, i + 2, lang, vars) : undefined;
      const one = r === undefined ? readPrimary(tokens, i + 1, lang, vars) : undefined;
      const args = (r?.terms ?? (one === undefined ? [] : [one.term])).map(asValue);
      value = format(value, args, '%');
      i = r === undefined ? (one?.next ?? i + 1) : r.next + 1;
    } else if (isPunct(tokens[i], '.') && isPunct(tokens[i + 1], 'format') && isPunct(tokens[i + 2], '(')) {
      const r = readList(tokens, i + 3, lang, vars);
      value = format(value, r.terms.map(asValue), '{}');
      i = r.next + 1;
    }
    return { term: { kind: 'str', value }, next: i };
  }
  if (t.kind === 'cmd')
    return { term: { kind: 'str', value: { text: UNKNOWN, dynamic: true } }, next: at + 1 };
  if (t.kind === 'words')
    return { term: { kind: 'list', items: t.words.map((w) => ({ text: w, dynamic: false })) }, next: at + 1 };
  if (t.kind === 'punct' && (t.text === '[' || t.text === '(')) {
    const end = closing(tokens, at);
    const r = readList(tokens, at + 1, lang, vars);
    const strs = r.terms.filter((x) => x.kind !== 'skip');
    if (t.text === '(' && strs.length === 1) return { term: strs[0] as ScriptTerm, next: end };
    return { term: { kind: 'list', items: strs.map(asValue) }, next: end };
  }
  if (t.kind === 'punct' && t.text === '{') {
    // An options object or hash: its `args`/`cmd` list is the argv (`Deno.Command("rm", { args: […] })`).
    const end = closing(tokens, at);
    for (let i = at + 1; i < end; i++) {
      const k = tokens[i];
      if (k?.kind === 'ident' && /^(?:args|cmd)$/.test(k.text) && isPunct(tokens[i + 1], ':')) {
        const r = readPrimary(tokens, i + 2, lang, vars);
        if (r.term.kind === 'list') return { term: r.term, next: end };
      }
    }
    return { term: { kind: 'skip' }, next: end };
  }
  // A name, a call or a chain of them (`os.path.expanduser("~")`, `Dir.home`, `$ENV{HOME}`).
  let i = at;
  while (i < tokens.length) {
    const c = tokens[i] as ScriptToken;
    if (c.kind === 'punct' && (c.text === '(' || c.text === '[' || c.text === '{')) {
      if (c.text === '{' && lang !== 'perl') break;
      i = closing(tokens, i);
    } else if (
      c.kind === 'ident' &&
      !STOP.has(c.text) &&
      (i === at ||
        isPunct(tokens[i - 1], '.') ||
        isPunct(tokens[i - 1], '::') ||
        isPunct(tokens[i - 1], '->'))
    )
      i++;
    else if (
      c.kind === 'punct' &&
      (c.text === '.' || c.text === '::' || c.text === '->') &&
      !CONCAT[lang].includes(c.text)
    )
      i++;
    else break;
  }
  if (i === at) return { term: { kind: 'skip' }, next: at };
  const source = sourceOf(tokens, at, i);
  const v = known(source, vars);
  if (v !== undefined) return { term: { kind: 'str', value: v }, next: i };
  const whole = vars.get(source);
  if (whole !== undefined) return { term: whole, next: i };
  return { term: { kind: 'str', value: { text: UNKNOWN, dynamic: true } }, next: i };
}

function asValue(term: ScriptTerm): ScriptValue {
  if (term.kind === 'str') return term.value;
  if (term.kind === 'list') return join(term.items.map((v) => ({ ...v, text: `${v.text} ` })));
  return { text: UNKNOWN, dynamic: true };
}

/** Reads one expression at `at`: strings joined by the language's concatenation, a list, or other. */
export function readExpr(
  tokens: readonly ScriptToken[],
  at: number,
  lang: ScriptLang,
  vars: ScriptVars,
): { term: ScriptTerm; next: number } {
  const first = readPrimary(tokens, at, lang, vars);
  if (first.term.kind !== 'str') return first;
  const values: ScriptValue[] = [first.term.value];
  let i = first.next;
  for (;;) {
    const t = tokens[i];
    const op = t?.kind === 'punct' && CONCAT[lang].includes(t.text);
    const side =
      ADJACENT.has(lang) &&
      (t?.kind === 'str' || (lang === 'awk' && t?.kind === 'ident' && vars.has(t.text)));
    if (!op && !side) break;
    const r = readPrimary(tokens, op ? i + 1 : i, lang, vars);
    if (r.next === (op ? i + 1 : i)) break;
    values.push(asValue(r.term));
    i = r.next;
  }
  return { term: { kind: 'str', value: join(values) }, next: i };
}
