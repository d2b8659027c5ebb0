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

// Each flag is read with a native search or a skipping probe rather than one JavaScript loop over
// every character: a single-character `includes` is a memchr, a one-class RegExp runs in compiled
// code, and the run probes below read a fraction of the text. All are linear (single character
// classes, no alternation or nesting under a quantifier).
const NON_PLAIN = /[^\t\n\r\x20-\x7e]/;
const UPPER = /[A-Z]/;

// Per ASCII code: 1 for a token character (base64, base64url, base32, hex), 2 for whitespace.
const TOKEN_CHAR = 1;
const SPACE_CHAR = 2;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (alnum || c === 43 || c === 47 || c === 95 || c === 45) CLASS[c] = TOKEN_CHAR;
  if (c === 32 || c === 9 || c === 10 || c === 13) CLASS[c] = SPACE_CHAR;
}

/**
 * True when `text` holds 16 or more consecutive characters of class `cls`. The window
 * [start, start + 16) is read from its end backwards; the last character outside the class moves the
 * window past it (no run can start at or before it). Each character is read at most once, and text
 * with few members of the class is settled by one read per 16 characters.
 */
function hasRun(text: string, cls: number): boolean {
  const n = text.length;
  let start = 0;
  while (start + 16 <= n) {
    let q = start + 15;
    while (q >= start) {
      const c = text.charCodeAt(q);
      if (c >= 128 || CLASS[c] !== cls) break;
      q--;
    }
    if (q < start) return true;
    start = q + 1;
  }
  return false;
}

/** True when `text` holds a run of 16 or more token characters (base64/base32/hex alphabet). */
export function hasTokenRun(text: string): boolean {
  return hasRun(text, TOKEN_CHAR);
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
    if (hasRun(text, SPACE_CHAR)) flags |= TextFlag.WideSpace;
  }
  return flags;
}
