import { RE2JS } from 're2js';
import type { Span } from './ast.js';
import { PolicyErrorCode } from './diagnostics.js';
import { literalMatcher } from './literal-matcher.js';
import { requiredLiterals } from './regex-prefilter.js';

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The largest RE2 program a policy regex may compile to. */
export const MAX_REGEX_PROGRAM = 1000;

/** Where regex problems are reported, and whether regexes keep their literal pre-check. */
export interface PolicyReporter {
  report(span: Span, code: PolicyErrorCode, message: string): void;
  /** `false`: no pre-check at all (the regex always runs; for the differential test). */
  readonly prefilter?: false;
}

/**
 * Compiles a policy regex with RE2 (linear time), reporting syntax RE2 rejects (lookaround,
 * backreferences), unknown flags and programs too large to run on every call. The returned test
 * runs a literal pre-check first (see regex-prefilter.ts).
 */
export function compileRegex(
  source: string,
  flags: string,
  span: Span,
  ctx: PolicyReporter,
): ((s: string) => boolean) | undefined {
  let bits = 0;
  for (const f of flags) {
    if (f === 'i') bits |= RE2JS.CASE_INSENSITIVE;
    else if (f === 's') bits |= RE2JS.DOTALL;
    else if (f === 'm') bits |= RE2JS.MULTILINE;
    else {
      ctx.report(
        span,
        PolicyErrorCode.InvalidRegex,
        `unknown regular expression flag '${f}' (use i, s or m)`,
      );
      return undefined;
    }
  }
  try {
    const re = RE2JS.compile(source, bits);
    // Linear time is size times input: a huge program (from counted repetition) is slow on every call.
    if (re.programSize() > MAX_REGEX_PROGRAM) {
      ctx.report(
        span,
        PolicyErrorCode.InvalidRegex,
        `regular expression is too large to run on every call (RE2 program size ${re.programSize()}, at most ${MAX_REGEX_PROGRAM}); use smaller counted repetitions or split it`,
      );
      return undefined;
    }
    if (ctx.prefilter === false) return (s) => re.test(s);
    const mayMatch = literalCheck(source, flags.includes('i'));
    if (mayMatch === undefined) return (s) => re.test(s);
    return (s) => mayMatch(s) && re.test(s);
  } catch (e) {
    ctx.report(
      span,
      PolicyErrorCode.InvalidRegex,
      `invalid regular expression: ${(e as Error).message} (RE2 syntax: no lookaround or backreferences)`,
    );
    return undefined;
  }
}

/**
 * A pre-check that is false only when the regex cannot match: none of its required literals occurs.
 * The literals become one native alternation of plain text: no quantifiers, so no backtracking, and
 * one pass over the string instead of one per literal. Case-insensitive literals are checked on
 * ASCII input only (RE2 folds some ASCII letters with non-ASCII ones).
 */
function literalCheck(source: string, ignoreCase: boolean): ((s: string) => boolean) | undefined {
  const literals = requiredLiterals(source);
  if (literals === undefined) return undefined;
  // RE2 folds letters across scripts under /i (`ſ` with `s`, the Kelvin sign with `k`), which a
  // JavaScript /i without /u does not: a literal outside ASCII is no sound pre-check there.
  if (ignoreCase && !ASCII_ONLY.test(literals.join(''))) return undefined;
  return literalMatcher(literals, ignoreCase);
}
