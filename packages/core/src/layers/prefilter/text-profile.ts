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

// Per ASCII code: the flags a character sets, and whether it belongs to base64/base32/hex runs.
const FLAGS = new Uint8Array(128);
const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) FLAGS[c] = TextFlag.NonPlain;
  if (c >= 65 && c <= 90) FLAGS[c] = TextFlag.Upper;
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  TOKEN[c] = alnum || c === 43 || c === 47 || c === 95 || c === 45 ? 1 : 0;
}
FLAGS[37] = TextFlag.Percent;
FLAGS[92] = TextFlag.Backslash;
FLAGS[38] = TextFlag.Ampersand;
FLAGS[36] = TextFlag.Dollar;

/** Bit flags from `TextFlag` for `text`. */
export function profileText(text: string): number {
  let flags = 0;
  let run = 0;
  let space = 0;
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (++space === 16) flags |= TextFlag.WideSpace;
    } else space = 0;
    if (c < 128) {
      flags |= FLAGS[c] as number;
      if (TOKEN[c] === 1) {
        if (++run === 16) flags |= TextFlag.TokenRun;
      } else {
        run = 0;
        if (c === prev && (c === 39 || c === 34)) flags |= TextFlag.QuotePair;
      }
    } else {
      flags |= TextFlag.NonPlain;
      run = 0;
    }
    prev = c;
  }
  return flags;
}
