/** Facts about a string gathered in a few native passes, so that most work can be skipped without a regex. */
export const TextFlag = {
  /** A character outside printable ASCII, tab, newline and carriage return: normalise first. */
  NonPlain: 1,
  /** An upper-case ASCII letter: lower-casing changes the text. */
  Upper: 2,
  Percent: 4,
  Backslash: 8,
  Ampersand: 16,
  Dollar: 32,
  /** Two equal quotes in a row (`''` or `""`), as in shell quote splitting. */
  QuotePair: 64,
  /** A run of 16 or more base64/base32/hex characters. */
  TokenRun: 128,
  /** A run of 16 or more whitespace characters (patterns may then span more than usual). */
  WideSpace: 256,
} as const;

// Each flag is read with a native search rather than one JavaScript loop over every character: a
// single-character `includes` is a memchr, and a one-class RegExp runs in compiled code, several
// times faster per character than a table-driven loop. All of these are linear: single character
// classes, a fixed repeat of one class, no alternation under a quantifier.
const NON_PLAIN = /[^\t\n\r\x20-\x7e]/;
const UPPER = /[A-Z]/;
const WIDE_SPACE = /[ \t\n\r]{16}/;

// Token characters (base64, base64url, base32, hex) by ASCII code.
const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  TOKEN[c] = alnum || c === 43 || c === 47 || c === 95 || c === 45 ? 1 : 0;
}

function isToken(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/**
 * True when `text` holds a run of 16 or more token characters. Any such run covers one of the
 * positions 15, 31, 47, …, so only those are probed; a probe on a token character measures the run
 * around it (stopping once it reaches 16). Words are short, so this reads a fraction of the text
 * where `/[…]{16}/` would restart at every position.
 */
export function hasTokenRun(text: string): boolean {
  const n = text.length;
  for (let p = 15; p < n; p += 16) {
    if (!isToken(text.charCodeAt(p))) continue;
    let start = p;
    while (start > 0 && p - start < 15 && isToken(text.charCodeAt(start - 1))) start--;
    let end = p + 1;
    while (end < n && end - start < 16 && isToken(text.charCodeAt(end))) end++;
    if (end - start >= 16) return true;
  }
  return false;
}

/** Bit flags from `TextFlag` for `text`. */
export function profileText(text: string): number {
  let flags = 0;
  if (NON_PLAIN.test(text)) flags |= TextFlag.NonPlain;
  if (UPPER.test(text)) flags |= TextFlag.Upper;
  if (text.includes('%')) flags |= TextFlag.Percent;
  if (text.includes('\\')) flags |= TextFlag.Backslash;
  if (text.includes('&')) flags |= TextFlag.Ampersand;
  if (text.includes('$')) flags |= TextFlag.Dollar;
  if (text.includes("''") || text.includes('""')) flags |= TextFlag.QuotePair;
  if (text.length >= 16) {
    if (hasTokenRun(text)) flags |= TextFlag.TokenRun;
    if (WIDE_SPACE.test(text)) flags |= TextFlag.WideSpace;
  }
  return flags;
}
