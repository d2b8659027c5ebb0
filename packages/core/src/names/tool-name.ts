import { normalize } from '../layers/prefilter/normalize.js';
import { braceEnd, classEnd, compileGlob, type GlobTest, splitTopLevel } from './glob.js';

// Everything that is not a letter or a digit: separators, punctuation, spaces, format characters
// and combining marks. Two names that differ only in these are one name.
const NOT_NAME = /[^\p{L}\p{N}]+/gu;
const CANONICAL = /^[a-z0-9]*$/;
// Word breaks: anything but letters, digits and the marks that belong to a letter.
const NOT_WORD = /[^\p{L}\p{N}\p{M}]+/u;
const CACHE_LIMIT = 4096;
const cache = new Map<string, string>();

/**
 * The form in which tool and server names are compared: invisible and format characters removed,
 * NFKC, lookalike letters from other scripts folded to Latin (the pre-filter's table), lower case,
 * accents dropped, and every character that is not a letter or a digit removed. So `RunShell`,
 * `run_shell`, `RUN.SHELL`, `ｒｕｎ＿ｓｈｅｌｌ` and `run\u200bshell` are one name. Only matching reads
 * this form; audit records and decisions keep the name as the server sent it.
 * @example
 * canonicalToolName('mcp__srv__Write-File') // 'mcpsrvwritefile'
 */
export function canonicalToolName(name: string): string {
  if (CANONICAL.test(name)) return name;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  // Fold before and after lower-casing: lower-casing can turn a letter the table lacks into one it has.
  const folded = normalize(normalize(name).text.toLowerCase()).text;
  const out = folded.normalize('NFKD').replace(NOT_NAME, '');
  // Names come from servers and callers: keep the memo bounded.
  if (name.length <= 256) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, out);
  }
  return out;
}

/**
 * Compiles a tool-name (or server-name) glob, or a list of them, to a test on names as sent. The
 * glob's literal text is put in canonical form like the names it meets, and wildcards keep their
 * meaning on that form: `*` matches anything (no separator stops it), `?` one character or a removed
 * separator, classes and `{a,b}` work as in `compileGlob`. Throws when a pattern cannot compile.
 * @example
 * compileToolGlob('*payment*')('Stripe/PaymentCreate') // true
 */
export function compileToolGlob(pattern: string | readonly string[]): GlobTest {
  const patterns = typeof pattern === 'string' ? [pattern] : pattern;
  const test = compileGlob(patterns.map(canonicalGlob), 'name');
  // A gate sees the same few tool names on every call, and a policy tries each of its name globs on
  // them: the answers are kept per name (bounded; emptied when full, as names come from servers).
  const seen = new Map<string, boolean>();
  return (name) => {
    const known = seen.get(name);
    if (known !== undefined) return known;
    const answer = test(canonicalToolName(name));
    if (seen.size >= TOOL_GLOB_MEMO) seen.clear();
    seen.set(name, answer);
    return answer;
  };
}

/** Names whose answer one compiled tool glob keeps. */
const TOOL_GLOB_MEMO = 256;

/** A glob rewritten over canonical names: literal runs canonicalised, wildcards kept. */
function canonicalGlob(glob: string): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    out += canonicalToolName(run);
    run = '';
  };
  let i = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      flush();
      while (glob[i] === '*') i++;
      out += '*';
      continue;
    }
    if (c === '?') {
      // The character `?` stood for may have been a separator, which canonical names no longer have.
      flush();
      out += '{,?}';
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < glob.length) {
      run += glob[i + 1];
      i += 2;
      continue;
    }
    if (c === '[' && classEnd(glob, i) > 0) {
      const end = classEnd(glob, i);
      flush();
      out += canonicalClass(glob.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (c === '{' && braceEnd(glob, i) > 0) {
      const end = braceEnd(glob, i);
      flush();
      out += `{${splitTopLevel(glob.slice(i + 1, end))
        .map(canonicalGlob)
        .join(',')}}`;
      i = end + 1;
      continue;
    }
    run += c;
    i++;
  }
  flush();
  return out;
}

/** A `[...]` class over canonical names; optional when it could have matched a removed character. */
function canonicalClass(raw: string): string {
  const negate = raw.startsWith('!') || raw.startsWith('^');
  const chars = Array.from(negate ? raw.slice(1) : raw);
  let members = '';
  let optional = negate;
  let anyChar = false;
  for (let k = 0; k < chars.length; k++) {
    const lo = canonicalToolName(chars[k]!);
    if (chars[k + 1] === '-' && k + 2 < chars.length) {
      const hi = canonicalToolName(chars[k + 2]!);
      k += 2;
      // A range with punctuation at an end has no canonical counterpart: read it as any character.
      if (lo.length === 1 && hi.length === 1) members += `${lo}-${hi}`;
      else anyChar = true;
      continue;
    }
    if (lo === '') optional = true;
    else members += lo;
  }
  if (anyChar || (negate && members === '')) return '{,?}';
  if (members === '') return '';
  const cls = `[${negate ? '!' : ''}${members}]`;
  return optional ? `{,${cls}}` : cls;
}

/**
 * The words of a tool name, each in canonical form: split at separators and at lower-to-upper case
 * steps, so `ReadFile`, `read_file` and `READ-FILE` are all `['read', 'file']`. Their concatenation is
 * the canonical name. For classifiers that look at a name's first or a whole word (`db`, `read`).
 * @example
 * toolNameWords('mcp__db__RunQuery') // ['mcp', 'db', 'run', 'query']
 */
export function toolNameWords(name: string): string[] {
  const spaced = normalize(name)
    .text.replace(/\p{Cf}+/gu, '')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2');
  return spaced
    .split(NOT_WORD)
    .map(canonicalToolName)
    .filter((w) => w !== '');
}
