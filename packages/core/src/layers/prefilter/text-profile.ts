/** Facts about a string gathered in one pass, so that most work can be skipped without a regex. */
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

// Per ASCII code: the flags a character sets, plus two private bits (token character, whitespace),
// so the loop below is one table read and a few arithmetic steps per character.
const TOKEN_CHAR = 0x200;
const SPACE_CHAR = 0x400;
const CLASS = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  let f = 0;
  if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) f |= TextFlag.NonPlain;
  if (c >= 65 && c <= 90) f |= TextFlag.Upper;
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (alnum || c === 43 || c === 47 || c === 95 || c === 45) f |= TOKEN_CHAR;
  if (c === 32 || c === 9 || c === 10 || c === 13) f |= SPACE_CHAR;
  CLASS[c] = f;
}
CLASS[37] = TextFlag.Percent;
CLASS[92] = TextFlag.Backslash;
CLASS[38] = TextFlag.Ampersand;
CLASS[36] = TextFlag.Dollar;

/** Bit flags from `TextFlag` for `text`. */
export function profileText(text: string): number {
  let flags = 0;
  let run = 0;
  let space = 0;
  let prev = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const f = c < 128 ? (CLASS[c] as number) : TextFlag.NonPlain;
    flags |= f;
    run = (f & TOKEN_CHAR) !== 0 ? run + 1 : 0;
    space = (f & SPACE_CHAR) !== 0 ? space + 1 : 0;
    if (run === 16) flags |= TextFlag.TokenRun;
    if (space === 16) flags |= TextFlag.WideSpace;
    if (c === prev && (c === 39 || c === 34)) flags |= TextFlag.QuotePair;
    prev = c;
  }
  return flags & 0x1ff;
}
