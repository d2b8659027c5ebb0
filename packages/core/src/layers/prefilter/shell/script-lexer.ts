/**
 * A small lexer for the code of interpreter one-liners: it knows each language's string literals
 * (quotes, escapes, interpolation, `qx{}`/`%x()`/backticks) and comments, which is all the analysis
 * needs to find the strings handed to process calls. Everything else is identifiers and punctuation.
 */

/** Languages whose one-liners are read. */
export type ScriptLang = 'python' | 'perl' | 'ruby' | 'js' | 'php' | 'lua' | 'awk' | 'applescript' | 'vim';

/** A piece of a string literal: literal text, or the source of an interpolated expression. */
export interface StringPart {
  readonly text: string;
  readonly expr: boolean;
}

/** One token: a string, a command literal (backticks, `qx`, `%x`), a word list (`qw`, `%w`), or other. */
export type ScriptToken =
  | { readonly kind: 'str' | 'cmd'; readonly parts: readonly StringPart[]; readonly quote: string }
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'ident' | 'punct'; readonly text: string };

type Interp = 'none' | 'escapes' | 'raw' | 'python' | 'js' | 'perl' | 'ruby' | 'php';

const QUOTES: Record<ScriptLang, string> = {
  python: `'"`,
  perl: `'"\``,
  ruby: `'"\``,
  js: `'"\``,
  php: `'"\``,
  lua: `'"`,
  awk: '"',
  applescript: `"'`,
  vim: `'"`,
};
const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', e: '\x1b', '0': '\0', v: '\v' };
const PERL_QUOTE = new Set(['q', 'qq', 'qx', 'qw', 'm', 's', 'y', 'tr', 'qr']);
const TWO_CHAR = new Set(['..', '->', '::', '=>', '==', '||', '&&', '|&', '!=', '+=']);

/** How a quote character reads in `lang`: which escapes and interpolation apply inside it. */
function interpOf(lang: ScriptLang, quote: string): Interp {
  if (quote === "'")
    return lang === 'perl' || lang === 'ruby' || lang === 'php' || lang === 'vim' ? 'none' : 'escapes';
  if (lang === 'js' && quote === '`') return 'js';
  if (lang === 'perl' || lang === 'ruby' || lang === 'php') return lang;
  return 'escapes';
}

function unescapeAt(code: string, at: number): { text: string; next: number } {
  const c = code[at] ?? '';
  const hex =
    /^(?:x\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{1,2})|u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|([0-7]{1,3}))/.exec(
      code.slice(at, at + 12),
    );
  if (hex !== null) {
    const [all, a, b, c2, d, oct] = hex;
    const n =
      oct !== undefined ? Number.parseInt(oct, 8) : Number.parseInt((a ?? b ?? c2 ?? d) as string, 16);
    return { text: String.fromCodePoint(Math.min(n, 0x10ffff)), next: at + all.length };
  }
  if (c === '\n') return { text: '', next: at + 1 };
  return { text: ESC[c] ?? c, next: at + 1 };
}

/** The end of an interpolated expression that opens at `at` with `open` (balanced brackets). */
function balanced(code: string, at: number, open: string, close: string): number {
  let depth = 0;
  for (let i = at; i < code.length; i++) {
    if (code[i] === open) depth++;
    else if (code[i] === close && --depth === 0) return i + 1;
  }
  return -1;
}

// `$x`, `${x}`, `$x{k}`, `$x[0]`, `$x->{k}`, `@x`, `@{[ … ]}`: perl and php variables inside strings.
const SIGIL_VAR = /[$@]\{[^}]*\}|[$@][A-Za-z_][\w:]*(?:\{[^}]*\}|\[[^\]]*\]|->[[{][^\]}]*[\]}])*/y;
const IDENT = /[$@]{0,2}[A-Za-z_]\w*|\d+/y;
const FLAGS = /[a-z]*/y;

/** The match of sticky `re` at `at` ('' when none), without copying the rest of the code. */
function matchAt(re: RegExp, code: string, at: number): string {
  re.lastIndex = at;
  return re.exec(code)?.[0] ?? '';
}

/**
 * Reads a delimited literal whose body starts at `at` and ends at `close`. Returns its parts and the
 * offset after the closing delimiter, or undefined when it is not closed.
 */
function readBody(
  code: string,
  at: number,
  open: string,
  close: string,
  interp: Interp,
): { parts: StringPart[]; next: number } | undefined {
  const parts: StringPart[] = [];
  let text = '';
  let depth = 0;
  const flush = (): void => {
    if (text !== '') parts.push({ text, expr: false });
    text = '';
  };
  for (let i = at; i < code.length; ) {
    const c = code[i] as string;
    if (c === close && depth === 0) {
      flush();
      return { parts, next: i + 1 };
    }
    if (open !== close && c === open) depth++;
    if (open !== close && c === close) depth--;
    if (c === '\\' && interp !== 'none' && interp !== 'raw') {
      const e = unescapeAt(code, i + 1);
      text += e.text;
      i = e.next;
      continue;
    }
    if (c === '\\') {
      // Raw and single-quoted text: only the delimiter and the backslash are escaped.
      const n = code[i + 1];
      text += n === close || n === '\\' ? (interp === 'raw' ? `\\${n}` : n) : c;
      i += n === close || n === '\\' ? 2 : 1;
      continue;
    }
    const exprEnd =
      interp === 'python' && c === '{' && code[i + 1] !== '{'
        ? balanced(code, i, '{', '}')
        : interp === 'js' && c === '$' && code[i + 1] === '{'
          ? balanced(code, i + 1, '{', '}')
          : interp === 'ruby' && c === '#' && code[i + 1] === '{'
            ? balanced(code, i + 1, '{', '}')
            : interp === 'php' && c === '{' && code[i + 1] === '$'
              ? balanced(code, i, '{', '}')
              : (interp === 'perl' || interp === 'php') && (c === '$' || (c === '@' && interp === 'perl'))
                ? i + matchAt(SIGIL_VAR, code, i).length
                : -1;
    if (exprEnd > i) {
      flush();
      parts.push({ text: code.slice(i, exprEnd), expr: true });
      i = exprEnd;
      continue;
    }
    if (interp === 'python' && (c === '{' || c === '}') && code[i + 1] === c) {
      text += c;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  return undefined;
}

interface Delim {
  readonly at: number;
  readonly open: string;
  readonly close: string;
}

/** The delimiter of a perl quote-like operator at `at` (after optional spaces), or undefined. */
function delimiterAt(code: string, at: number): Delim | undefined {
  let i = at;
  while (code[i] === ' ') i++;
  const d = code[i];
  if (d === undefined || /[\w\s,;=)}\]]/.test(d)) return undefined;
  return { at: i, open: d, close: PAIRS[d] ?? d };
}

const MAX_UNCLOSED = 16;
const REGEX_LANGS = new Set<ScriptLang>(['perl', 'ruby', 'js', 'awk']);
const BEFORE_REGEX = new Set(['(', ',', '=', '~', ';', '{', '}', '!', '&&', '||', '?', ':', '[', '==', '!=']);
const WORDS_BEFORE_REGEX = new Set([
  'if',
  'unless',
  'and',
  'or',
  'not',
  'return',
  'split',
  'grep',
  'when',
  'map',
]);

/** True when a `/` after `prev` starts a regex rather than dividing. */
function regexMayStart(prev: ScriptToken | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === 'punct') return BEFORE_REGEX.has(prev.text);
  return prev.kind === 'ident' && WORDS_BEFORE_REGEX.has(prev.text);
}

/** The offset after the `/` that closes a regex whose body starts at `at` (-1 when on another line or never). */
function regexEnd(code: string, at: number): number {
  let inClass = false;
  for (let i = at; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') i++;
    else if (c === '\n') return -1;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i + 1 + matchAt(FLAGS, code, i + 1).length;
  }
  return -1;
}

/** The parts of a whole text read as the body of a literal (Python triple-quoted strings). */
function partsOf(text: string, interp: Interp): StringPart[] {
  return readBody(`${text}\u0001`, 0, '\u0001', '\u0001', interp)?.parts ?? [];
}

/** Splits `code` into tokens. A literal that is never closed is read as punctuation and lexing goes on. */
export function lexScript(code: string, lang: ScriptLang): ScriptToken[] {
  const out: ScriptToken[] = [];
  const quotes = QUOTES[lang];
  const hashComment = lang !== 'js' && lang !== 'lua' && lang !== 'vim' && lang !== 'applescript';
  const slashComment = lang === 'js' || lang === 'php';
  const dashComment = lang === 'lua' || lang === 'applescript';
  let i = 0;
  // Each unclosed literal is read to the end of the code; past a few, no more are tried (linear time).
  let unclosed = 0;
  /** Reads a literal at delimiter `d` into a token of `kind` (none for regexes); false when unclosed. */
  const literal = (kind: 'str' | 'cmd' | 'words' | 'skip', d: Delim, interp: Interp): boolean => {
    if (unclosed > MAX_UNCLOSED) return false;
    const body = readBody(code, d.at + 1, d.open, d.close, interp);
    if (body === undefined) unclosed++;
    if (body === undefined) return false;
    const text = body.parts.map((p) => p.text).join('');
    if (kind === 'words') out.push({ kind, words: text.split(/\s+/).filter(Boolean) });
    else if (kind !== 'skip') out.push({ kind, parts: body.parts, quote: d.open });
    i = body.next;
    return true;
  };
  const tripleQuoted = (q: string, from: number, interp: Interp): boolean => {
    const end = unclosed > MAX_UNCLOSED ? -1 : code.indexOf(q.repeat(3), from);
    if (end < 0) unclosed++;
    if (end < 0) return false;
    out.push({ kind: 'str', parts: partsOf(code.slice(from, end), interp), quote: q });
    i = end + 3;
    return true;
  };
  while (i < code.length) {
    const c = code[i] as string;
    const prev = code[i - 1] ?? ' ';
    const rest = code.slice(i, i + 2);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (
      (c === '#' && hashComment && prev !== '$') ||
      (rest === '//' && slashComment) ||
      (rest === '--' && dashComment)
    ) {
      const nl = code.indexOf('\n', i);
      i = nl < 0 ? code.length : nl + 1;
      continue;
    }
    if (rest === '/*' && slashComment) {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
      continue;
    }
    if (lang === 'lua' && rest === '[[') {
      const end = code.indexOf(']]', i + 2);
      if (end >= 0) {
        out.push({ kind: 'str', parts: [{ text: code.slice(i + 2, end), expr: false }], quote: '[' });
        i = end + 2;
        continue;
      }
    }
    if (lang === 'ruby' && c === '%') {
      const m = /^%([qQwWxiI]?)([^\w\s=])/.exec(code.slice(i, i + 3));
      if (m !== null) {
        const type = m[1] ?? '';
        const open = m[2] as string;
        const d = { at: i + type.length + 1, open, close: PAIRS[open] ?? open };
        const kind = type === 'x' ? 'cmd' : /[wWiI]/.test(type) ? 'words' : 'str';
        if (literal(kind, d, type === 'q' || type === 'w' ? 'none' : 'ruby')) continue;
      }
    }
    const ident = matchAt(IDENT, code, i) || undefined;
    if (ident !== undefined && !/[\w$]/.test(prev)) {
      const next = code[i + ident.length] ?? '';
      if (lang === 'python' && /^[rbuf]{1,2}$/i.test(ident) && next !== '' && `'"`.includes(next)) {
        const interp: Interp = /r/i.test(ident) ? 'raw' : /f/i.test(ident) ? 'python' : 'escapes';
        const at = i + ident.length;
        if (code.startsWith(next.repeat(3), at) && tripleQuoted(next, at + 3, interp)) continue;
        if (literal('str', { at, open: next, close: next }, interp)) continue;
      }
      if (lang === 'perl' && PERL_QUOTE.has(ident) && !/[$@%&>]/.test(prev) && next !== '=') {
        const d = delimiterAt(code, i + ident.length);
        const kind = ident === 'qx' ? 'cmd' : ident === 'qw' ? 'words' : /^qq?$/.test(ident) ? 'str' : 'skip';
        const interp: Interp = ident === 'q' || ident === 'qw' || d?.open === "'" ? 'none' : 'perl';
        if (d !== undefined && literal(kind, d, interp)) {
          // A substitution or transliteration has a second part; neither part is a string.
          if (ident === 's' || ident === 'y' || ident === 'tr') {
            const d2 = d.open === d.close ? { ...d, at: i - 1 } : delimiterAt(code, i);
            if (d2 !== undefined) literal('skip', d2, 'none');
          }
          if (kind === 'skip') out.push({ kind: 'punct', text: 'regex' });
          i += matchAt(FLAGS, code, i).length;
          continue;
        }
      }
      out.push({ kind: 'ident', text: ident });
      i += ident.length;
      continue;
    }
    // A bare `/regex/` where an operand is expected: its text is no string (`/don't/` opens none).
    if (
      c === '/' &&
      REGEX_LANGS.has(lang) &&
      unclosed <= MAX_UNCLOSED &&
      regexMayStart(out[out.length - 1])
    ) {
      const end = regexEnd(code, i + 1);
      if (end < 0) unclosed++;
      else {
        out.push({ kind: 'punct', text: 'regex' });
        i = end;
        continue;
      }
    }
    if (quotes.includes(c)) {
      if (lang === 'python' && code.startsWith(c.repeat(3), i) && tripleQuoted(c, i + 3, 'escapes')) continue;
      const kind = c === '`' && lang !== 'js' ? 'cmd' : 'str';
      if (literal(kind, { at: i, open: c, close: c }, interpOf(lang, c))) continue;
    }
    const p = TWO_CHAR.has(rest) ? rest : c;
    out.push({ kind: 'punct', text: p });
    i += p.length;
  }
  return out;
}
