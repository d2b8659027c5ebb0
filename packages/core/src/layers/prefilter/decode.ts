import { profileText, TextFlag } from './text-profile.js';
import { decodeUtf8 } from './utf8.js';

/** One decoding of a text: the decoder's name and what it produced. */
export interface Decoded {
  readonly via: string;
  readonly text: string;
}

const TOKEN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX = /^(?:0x)?[0-9a-fA-F]+$/;
const BASE32 = /^[A-Z2-7]+=*$/;

/** True when decoded bytes read as text (mostly printable), so binary blobs such as images are skipped. */
function readable(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  // Each control byte decodes to a non-printable character of its own, and the text has at most as
  // many characters as there are bytes: more than 5% control bytes can never read as text, so random
  // bytes are refused without a decoding attempt (and the exception a failed one throws).
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) control++;
  }
  if (control > bytes.length * 0.05) return undefined;
  const text = decodeUtf8(bytes);
  if (text === undefined) return undefined;
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c !== 0x7f) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable >= text.length * 0.95 ? text : undefined;
}

function fromBase64(token: string): Uint8Array | undefined {
  let end = token.length;
  while (end > 0 && token.charCodeAt(end - 1) === 61) end--;
  // A length of 4k+1 never decodes: settled before any copy of the token is made.
  if (end % 4 === 1) return undefined;
  let std = end === token.length ? token : token.slice(0, end);
  if (std.includes('-')) std = std.replace(/-/g, '+');
  if (std.includes('_')) std = std.replace(/_/g, '/');
  try {
    const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function fromHex(token: string): Uint8Array | undefined {
  const hex = token.startsWith('0x') ? token.slice(2) : token;
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function fromBase32(token: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = token.replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function decodeTokens(text: string, out: Decoded[]): void {
  // Runs are disjoint, so decoding every one costs time linear in the text; no run is skipped.
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const token = m[0];
    let via = 'hex';
    let decoded: string | undefined;
    if (HEX.test(token)) {
      const bytes = fromHex(token);
      decoded = bytes === undefined ? undefined : readable(bytes);
    } else {
      if (BASE32.test(token)) {
        via = 'base32';
        decoded = readable(fromBase32(token));
      }
      if (decoded === undefined) {
        via = 'base64';
        const bytes = fromBase64(token);
        decoded = bytes === undefined ? undefined : readable(bytes);
      }
    }
    if (decoded !== undefined) out.push({ via, text: decoded });
  }
}

const PERCENT = /%[0-9a-fA-F]{2}/;
const PERCENT_ALL = /(?:%[0-9a-fA-F]{2})+/g;

function decodePercent(text: string): string {
  return text.replace(PERCENT_ALL, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
    }
  });
}

const ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]{1,6}\}|[0-7]{3})/;
const ESCAPE_ALL = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|([0-7]{3}))/g;

function decodeEscapes(text: string): string {
  return text.replace(ESCAPE_ALL, (m, x?: string, u?: string, cp?: string, oct?: string) => {
    const code = x ?? u ?? cp;
    const n = code !== undefined ? Number.parseInt(code, 16) : Number.parseInt(oct as string, 8);
    return n <= 0x10ffff ? String.fromCodePoint(n) : m;
  });
}

const ENTITY = /&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/;
const ENTITY_ALL = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));?/g;
const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  sol: '/',
  bsol: '\\',
  colon: ':',
  lpar: '(',
  rpar: ')',
  period: '.',
  comma: ',',
  semi: ';',
  vert: '|',
  verbar: '|',
  dollar: '$',
  tab: '\t',
  newline: '\n',
  equals: '=',
  excl: '!',
  num: '#',
  percnt: '%',
  lowbar: '_',
  grave: '`',
};

function decodeEntities(text: string): string {
  return text.replace(ENTITY_ALL, (m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? m;
    const n = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex as string, 16);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
  });
}

const CONCAT = /(['"])\s{0,8}(?:\+|\|\||\.)\s{0,8}\1/y;
const CONCAT_ALL = /(['"])\s{0,8}(?:\+|\|\||\.)\s{0,8}\1/g;

/** 1 for the characters of a word that a quote may split (`[A-Za-z0-9/]`), by ASCII code. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  WORD[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 47 ? 1 : 0;
}

function isWord(c: number): boolean {
  return c < 128 && WORD[c] === 1;
}

function isQuote(c: number): boolean {
  return c === 39 || c === 34;
}

// What the two quote checks below decide, from each quote of the text (found by memchr) rather than
// by a RegExp that starts at every letter:
//  - split: /[A-Za-z0-9/]['"][A-Za-z0-9/]*['"][A-Za-z0-9/]/ matches. Word characters and quotes are
//    disjoint, so after the first quote the word run ends exactly where the second quote must be.
//  - concat: CONCAT matches at the quote. A quick look past ASCII whitespace for `+`, `|` or `.`
//    rules most quotes out; otherwise (or at a non-ASCII character, which `\s` may accept) the
//    sticky RegExp itself decides.
function quoteFeatures(text: string): { split: boolean; concat: boolean } {
  let split = false;
  let concat = false;
  let single = text.indexOf("'");
  let double = text.indexOf('"');
  while ((single >= 0 || double >= 0) && !(split && concat)) {
    let i: number;
    if (double < 0 || (single >= 0 && single < double)) {
      i = single;
      single = text.indexOf("'", single + 1);
    } else {
      i = double;
      double = text.indexOf('"', double + 1);
    }
    if (!split && i > 0 && isWord(text.charCodeAt(i - 1))) {
      let j = i + 1;
      while (j < text.length && isWord(text.charCodeAt(j))) j++;
      if (j < text.length && isQuote(text.charCodeAt(j)) && isWord(text.charCodeAt(j + 1))) split = true;
    }
    if (!concat) {
      let j = i + 1;
      let c = text.charCodeAt(j);
      while (j - i <= 8 && (c === 32 || (c >= 9 && c <= 13))) c = text.charCodeAt(++j);
      if (c === 43 || c === 124 || c === 46 || c >= 128) {
        CONCAT.lastIndex = i;
        concat = CONCAT.test(text);
      }
    }
  }
  return { split, concat };
}

const ASSIGN =
  /(?:^|[;\s&|(])([A-Za-z_][A-Za-z0-9_]{0,30})=("[^"\n]{0,200}"|'[^'\n]{0,200}'|[^\s;&|'"]{0,200})/g;
const EXPANSION = /\$(?:\{([A-Za-z_][A-Za-z0-9_]{0,30})\}|([A-Za-z_][A-Za-z0-9_]{0,30}))/g;

/** Resolves shell variable splicing (`a=cu;b=rl;$a$b`), `${IFS}` and quote splitting (`c''u"r"l`). */
function resolveShell(text: string): string {
  const vars = new Map<string, string>([['IFS', ' ']]);
  ASSIGN.lastIndex = 0;
  for (let m = ASSIGN.exec(text); m !== null; m = ASSIGN.exec(text)) {
    const raw = m[2] as string;
    vars.set(m[1] as string, /^["']/.test(raw) ? raw.slice(1, -1) : raw);
  }
  const expanded = text.replace(
    EXPANSION,
    (m, braced?: string, bare?: string) => vars.get(braced ?? bare ?? '') ?? m,
  );
  return expanded
    .replace(/([A-Za-z0-9])(?:''|"")+(?=[A-Za-z0-9])/g, '$1')
    .replace(/([A-Za-z])\\(?=[a-z])/g, '$1');
}

/**
 * Every decoding of `text` that differs from it: percent, `\x`/`\u`/octal escapes, HTML entities,
 * shell splicing, quotes inside words, glued string literals, and base64/base32/hex runs that decode to readable text. Callers recurse with a
 * depth and size budget.
 */
export function decodeOnce(text: string, flags: number = profileText(text)): Decoded[] {
  const out: Decoded[] = [];
  if (flags & TextFlag.Percent && PERCENT.test(text)) out.push({ via: 'percent', text: decodePercent(text) });
  if (flags & TextFlag.Backslash && ESCAPE.test(text)) out.push({ via: 'escape', text: decodeEscapes(text) });
  if (flags & TextFlag.Ampersand && ENTITY.test(text)) out.push({ via: 'html', text: decodeEntities(text) });
  if (
    flags & (TextFlag.Dollar | TextFlag.QuotePair) ||
    (flags & TextFlag.Backslash && /[A-Za-z]\\[a-z]/.test(text))
  ) {
    const resolved = resolveShell(text);
    if (resolved !== text) out.push({ via: 'shell', text: resolved });
  }
  if (text.includes("'") || text.includes('"')) {
    const quotes = quoteFeatures(text);
    // Quotes inside a word (c'a't /e'tc'/sha""dow) vanish in a shell: read the word without them.
    if (quotes.split) out.push({ via: 'unquote', text: text.replace(/['"]/g, '') });
    // String literals glued together ('DR' + 'OP TABLE', "cu" || "rl") read as one.
    if (quotes.concat) out.push({ via: 'concat', text: text.replace(CONCAT_ALL, '') });
  }
  if (flags & TextFlag.TokenRun) decodeTokens(text, out);
  return out;
}
