import type { Node } from 'web-tree-sitter';
import type { ShellWord } from './model.js';

/** What a variable assigned earlier in the script holds. */
export type ShellVars = Map<string, ShellWord>;

/**
 * How the builder reports the commands inside a substitution: their joint flags, and the output
 * when it is constant (`$(printf sudo)`).
 */
export type SubstitutionReader = (node: Node) => { fetched: boolean; secret: boolean; value?: ShellWord };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', e: '\x1b', v: '\v' };

/** `$'…'`: the escapes bash decodes there (`\x63`, `\143`, `\u0063`, `\n`, …); also printf's. */
export function decodeEscapes(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e.length > 1 && (e[0] === 'x' || e[0] === 'u'))
      return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}

/** A bare word with its backslash escapes and line continuations removed. */
function unescapeBare(text: string): string {
  return text.replace(/\\(\n|.)/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** Inside double quotes only `\$`, `` \` ``, `\"`, `\\` and a line continuation are escapes. */
function unescapeQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const HOME_VARS = new Set(['HOME', 'ZDOTDIR']);

function variable(node: Node, vars: ShellVars): ShellWord {
  const name = node.namedChildren.find((c) => c.type === 'variable_name')?.text ?? '';
  // Only plain `$x`/`${x}` take a value; `${x:-y}`, `${#x}` and the like stay unknown.
  const plain = node.type === 'simple_expansion' || node.text === `\${${name}}`;
  if (plain && HOME_VARS.has(name)) return { text: '~', dynamic: false, fetched: false, secret: false };
  if (plain && name === 'IFS') return { text: ' ', dynamic: false, fetched: false, secret: false };
  const known = plain ? vars.get(name) : undefined;
  return known ?? { text: node.text, dynamic: true, fetched: false, secret: false };
}

/** Resolves a word node (word, string, concatenation, expansion, substitution, …) to a `ShellWord`. */
export function resolveWord(node: Node, vars: ShellVars, sub: SubstitutionReader): ShellWord {
  switch (node.type) {
    case 'word':
    case 'command_name':
      return node.type === 'word'
        ? { text: unescapeBare(node.text), dynamic: false, fetched: false, secret: false }
        : joinParts(node, node.namedChildren, vars, sub, false);
    case 'raw_string':
      return { text: node.text.slice(1, -1), dynamic: false, fetched: false, secret: false };
    case 'ansi_c_string':
      return { text: decodeEscapes(node.text.slice(2, -1)), dynamic: false, fetched: false, secret: false };
    case 'string':
    case 'translated_string':
      return joinParts(node, node.namedChildren, vars, sub, true);
    case 'simple_expansion':
    case 'expansion':
      return variable(node, vars);
    case 'command_substitution': {
      const { value, ...flags } = sub(node);
      // Bash refuses a substitution left open (`$(cmd` without its `)`): that one runs nothing.
      const open = node.lastChild?.isMissing === true;
      if (value === undefined) return { text: node.text, dynamic: true, ...flags, computed: !open };
      return {
        ...value,
        fetched: value.fetched || flags.fetched,
        secret: value.secret || flags.secret,
      };
    }
    case 'process_substitution':
    case 'subshell': {
      const { fetched, secret } = sub(node);
      return { text: node.text, dynamic: true, fetched, secret };
    }
    case 'concatenation':
      return joinParts(node, node.namedChildren, vars, sub, false);
    default:
      return {
        text: unescapeBare(node.text),
        dynamic: node.namedChildCount > 0,
        fetched: false,
        secret: false,
      };
  }
}

/** Joins the parts of a compound word, keeping the literal text between named children. */
function joinParts(
  node: Node,
  parts: readonly Node[],
  vars: ShellVars,
  sub: SubstitutionReader,
  quoted: boolean,
): ShellWord {
  const source = node.text;
  const base = node.startIndex;
  const open = quoted ? (node.type === 'translated_string' ? 2 : 1) : 0;
  const close = quoted ? source.length - 1 : source.length;
  let at = open;
  let text = '';
  let dynamic = false;
  let fetched = false;
  let secret = false;
  // Whether the text after the last `/` so far comes from a computed part.
  let computed = false;
  const literal = (s: string): string => {
    const t = quoted ? unescapeQuoted(s) : unescapeBare(s);
    if (t.includes('/')) computed = false;
    return t;
  };
  for (const part of parts) {
    const from = part.startIndex - base;
    if (from > at) text += literal(source.slice(at, from));
    const w =
      part.type === 'string_content'
        ? { text: literal(part.text), dynamic: false, fetched: false, secret: false }
        : resolveWord(part, vars, sub);
    text += w.text;
    if (w.computed === true) computed = true;
    else if (w.text.includes('/')) computed = false;
    dynamic ||= w.dynamic;
    fetched ||= w.fetched;
    secret ||= w.secret;
    at = part.endIndex - base;
  }
  if (close > at) text += literal(source.slice(at, close));
  return computed ? { text, dynamic, fetched, secret, computed } : { text, dynamic, fetched, secret };
}
