import type { ScriptToken } from './script-lexer.js';
import { closing } from './script-values.js';

/**
 * Token-level reading of code for what reaches a call: which names hold a value made by some
 * source (a decoder, a stored secret, a URL), and the token range of a call's arguments. Shared by
 * the decoded-eval and browser-secret readings; each bounded by the token list it is given.
 */

/** True when the token is punctuation or a word with exactly this text. */
export function isTok(t: ScriptToken | undefined, text: string): boolean {
  return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
}

/** The literal text of a string token (interpolations included as written). */
export function strText(t: ScriptToken | undefined): string | undefined {
  return t?.kind === 'str' ? t.parts.map((p) => p.text).join('') : undefined;
}

const ENDS = new Set([';', ',', ')', ']', '}']);
/** Longest expression read after an `=` or a bare call name, in tokens. */
const MAX_EXPR_TOKENS = 256;

/** The end (exclusive) of the expression that starts at `at`: brackets skipped, up to a separator. */
export function exprEnd(tokens: readonly ScriptToken[], at: number): number {
  let i = at;
  const limit = Math.min(tokens.length, at + MAX_EXPR_TOKENS);
  while (i < limit) {
    const t = tokens[i] as ScriptToken;
    if (t.kind === 'punct' && ENDS.has(t.text)) break;
    // A newline-free language without `;` (python): `a = f(x) b = g(y)` — a new assignment ends it.
    if (i > at && t.kind === 'ident' && isTok(tokens[i + 1], '=') && !isTok(tokens[i - 1], '.')) break;
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) i = closing(tokens, i);
    else i++;
  }
  return i;
}

/** The argument range `[from, to)` of a call whose `(` is at `open`. */
export function argRange(tokens: readonly ScriptToken[], open: number): [number, number] {
  return [open + 1, Math.max(open + 1, closing(tokens, open) - 1)];
}

/** True when some token of `[from, to)` satisfies `test`. */
export function anyIn(
  tokens: readonly ScriptToken[],
  from: number,
  to: number,
  test: (t: ScriptToken, i: number) => boolean,
): boolean {
  for (let i = from; i < to; i++) if (test(tokens[i] as ScriptToken, i)) return true;
  return false;
}

/**
 * Names assigned (`x = …`, `const x = …`, `$x = …`) from an expression in which `source` holds, over
 * the whole code: a name assigned from a tainted name is tainted too (one pass, in code order).
 */
export function taintedNames(
  tokens: readonly ScriptToken[],
  source: (t: ScriptToken, i: number) => boolean,
): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as ScriptToken;
    if (t.kind !== 'ident' || !isTok(tokens[i + 1], '=')) continue;
    const end = exprEnd(tokens, i + 2);
    if (anyIn(tokens, i + 2, end, (u, k) => source(u, k) || (u.kind === 'ident' && names.has(u.text))))
      names.add(t.text);
  }
  return names;
}
