const ASCII = /^[\x00-\x7f]*$/;
const REGEX_META = /[\\^$.*+?()[\]{}|/]/g;

/**
 * True when `s` contains any of `literals`, by one native scan. The expression is an alternation of
 * escaped plain text (no quantifiers), so it cannot backtrack. With `ignoreCase`, non-ASCII input
 * always passes: RE2 folds some ASCII letters with non-ASCII ones, and the check must never be
 * stricter than the engine it guards.
 */
export function literalMatcher(literals: readonly string[], ignoreCase = false): (s: string) => boolean {
  const re = new RegExp(literals.map((l) => l.replace(REGEX_META, '\\$&')).join('|'), ignoreCase ? 'i' : '');
  if (!ignoreCase) return (s) => re.test(s);
  return (s) => !ASCII.test(s) || re.test(s);
}
