import { RE2JS } from 're2js';
import { literalMatcher } from './literal-matcher.js';

/** A compiled glob: a full-string test that runs in linear time. */
export type GlobTest = (input: string) => boolean;

/** How a glob treats `/`: in `path` mode `*` and `?` stay within one segment and `**` crosses them. */
export type GlobMode = 'path' | 'name';

const META = new Set('\\^$.|?*+()[]{}');

/**
 * Compiles a glob to an RE2 (linear-time) matcher. Supports `*`, `**`, `?`, `[abc]`, `[!abc]`,
 * `{a,b}` and `\` escapes; a list of patterns matches when any one does; dot files match like any other name (a deny rule on `**\/.ssh/**` must see
 * them). Glob libraries that emit backtracking regular expressions can be made to run for seconds
 * by a crafted pattern and input, so policies never use them.
 * @example
 * compileGlob('/etc/**', 'path')('/etc/ssh/sshd_config') // true
 */
export function compileGlob(pattern: string | readonly string[], mode: GlobMode): GlobTest {
  const patterns = typeof pattern === 'string' ? [pattern] : pattern;
  // Most policy globs are names with `*` only (`*fetch*`): those need no regular expression at all,
  // and compiling hundreds of them with RE2 dominated the proxy's start-up.
  if (mode === 'name' && patterns.length > 0 && patterns.every(isStarOnly))
    return anyOf(patterns.map(starMatcher));
  const source = `^(?:${patterns.map((p) => translate(p, mode)).join('|')})$`;
  const re = RE2JS.compile(source, RE2JS.DOTALL);
  // Every match contains each pattern's literal text; checking that first skips most RE2 runs.
  const needles = patterns.map(requiredLiteral);
  if (needles.some((n) => n === '')) return (input) => re.test(input);
  const mayMatch = literalMatcher(needles);
  return (input) => mayMatch(input) && re.test(input);
}

/** True for a glob whose only special character is `*`. */
function isStarOnly(glob: string): boolean {
  return !/[?[\]{}\\]/.test(glob);
}

/**
 * The matcher of a `*`-only name glob: the text before the first `*` starts the input, the text after
 * the last ends it, and the pieces between occur in order in what is left. Taking the leftmost
 * occurrence of each piece is never wrong, so this runs in time linear in the input per piece.
 */
function starMatcher(glob: string): GlobTest {
  const pieces = glob.split('*');
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return (input) => input === first;
  const last = pieces[pieces.length - 1] ?? '';
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  return (input) => {
    const end = input.length - last.length;
    if (end < first.length || !input.startsWith(first) || !input.endsWith(last)) return false;
    let at = first.length;
    for (const piece of middle) {
      const found = input.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

function anyOf(tests: readonly GlobTest[]): GlobTest {
  const only = tests[0];
  if (tests.length === 1 && only !== undefined) return only;
  return (input) => tests.some((test) => test(input));
}

/**
 * The longest run of plain characters that every match of `glob` contains: text outside wildcards,
 * classes and braces, and without `/` (which `dir/**` may match without). Empty when there is none.
 */
function requiredLiteral(glob: string): string {
  let best = '';
  let run = '';
  let i = 0;
  const cut = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length && glob[i + 1] !== '/') {
      run += glob[i + 1];
      i += 2;
    } else if (c === '[' && classEnd(glob, i) > 0) {
      cut();
      i = classEnd(glob, i) + 1;
    } else if (c === '{' && braceEnd(glob, i) > 0) {
      cut();
      i = braceEnd(glob, i) + 1;
    } else if (c === '*' || c === '?' || c === '/' || c === '\\') {
      cut();
      i++;
    } else {
      run += c;
      i++;
    }
  }
  cut();
  return best;
}

function translate(glob: string, mode: GlobMode): string {
  const star = mode === 'path' ? '[^/]*' : '.*';
  const one = mode === 'path' ? '[^/]' : '.';
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      let j = i;
      while (glob[j] === '*') j++;
      const double = j - i >= 2;
      const segStart = i === 0 || glob[i - 1] === '/';
      if (double && mode === 'path' && segStart && glob[j] === '/') {
        out += '(?:.*/)?';
        j++;
      } else if (double && mode === 'path' && segStart && j === glob.length && i > 0) {
        // `dir/**` also matches `dir` itself: drop the slash already written.
        out = `${out.slice(0, -1)}(?:/.*)?`;
      } else out += double ? '.*' : star;
      i = j;
      continue;
    }
    if (c === '?') {
      out += one;
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < glob.length) {
      out += quote(glob[i + 1]!);
      i += 2;
      continue;
    }
    if (c === '[') {
      const end = classEnd(glob, i);
      if (end > 0) {
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        const escaped = body.replace(/[\\\]^[]/g, (m) => `\\${m}`);
        out += negate ? `[^${escaped}${mode === 'path' ? '/' : ''}]` : `[${escaped}]`;
        i = end + 1;
        continue;
      }
    }
    if (c === '{') {
      const end = braceEnd(glob, i);
      if (end > 0) {
        const parts = splitTopLevel(glob.slice(i + 1, end));
        out += `(?:${parts.map((p) => translate(p, mode)).join('|')})`;
        i = end + 1;
        continue;
      }
    }
    out += quote(c);
    i++;
  }
  return out;
}

function quote(c: string): string {
  return META.has(c) ? `\\${c}` : c;
}

/** The index of the `]` closing the class opened at `open`, or -1 when it is not a class. */
export function classEnd(glob: string, open: number): number {
  // A `]` right after `[` or `[!` is a member, as in shells.
  let i = open + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++;
  while (i < glob.length && glob[i] !== ']') i++;
  return i < glob.length && i > open + 1 ? i : -1;
}

/** The index of the `}` closing the brace opened at `open`, or -1 when it does not close. */
export function braceEnd(glob: string, open: number): number {
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The comma-separated alternatives of a brace body, nested braces kept whole. */
export function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(body.slice(last));
  return parts;
}
