/**
 * Hashes of the strings a text makes known, computed in place: the ledger remembers what it saw
 * harmlessly and indexes instruction texts by their words without building the strings. Each function
 * returns what its string-building counterpart in `provenance-text.ts` would, hashed with `hashText`.
 */
import { bareToken, hashText, normalizeText, seenStrings, WORD_CHAR } from './provenance-text.js';

const SPACE = 1;
const ALNUM = 2;
const UNDERSCORE = 4;
/** ASCII classes: whitespace as `\s` sees it, `[A-Za-z0-9]`, `_`. */
const ASCII = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32]) ASCII[c] = SPACE;
for (let c = 48; c <= 57; c++) ASCII[c] = ALNUM;
for (let c = 65; c <= 90; c++) ASCII[c] = ALNUM;
for (let c = 97; c <= 122; c++) ASCII[c] = ALNUM;
ASCII[95] = UNDERSCORE;

/** Whether a UTF-16 code is whitespace as `\s` sees it. */
function isSpace(c: number): boolean {
  if (c < 128) return ASCII[c] === SPACE;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** FNV-1a step for one ASCII code, lowercased. */
function step(h: number, c: number): number {
  return Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
}

/**
 * The length of `text` with whitespace runs collapsed to one space and trimmed, counted up to just past
 * `stopAt`. A lower bound of `normalizeText(text).length`, since lowercasing never shortens a string.
 */
export function collapsedLength(text: string, stopAt: number): number {
  let collapsed = 0;
  let gap = false;
  for (let i = 0; i < text.length && collapsed <= stopAt; i++) {
    if (isSpace(text.charCodeAt(i))) gap = collapsed > 0;
    else {
      collapsed += gap ? 2 : 1;
      gap = false;
    }
  }
  return collapsed;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * Whether a UTF-16 code is stripped from a word's edge by `bareToken` whatever its neighbours: ASCII
 * other than `[A-Za-z0-9]`, or a non-ASCII, non-surrogate unit that is no letter or number.
 */
function isEdge(c: number): boolean {
  if (c < 128) return ASCII[c] !== ALNUM;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  return !LETTER_OR_NUMBER.test(String.fromCharCode(c));
}

/** The hash of one whitespace-free word's bare lowercase form when 2..max long; -1 otherwise. */
function wordHash(
  text: string,
  start: number,
  end: number,
  first: number,
  last: number,
  other: boolean,
  max: number,
): number {
  if (other) {
    // Punctuation or symbols around an ASCII core (`€30`, `«word»`): strip them in place.
    let a = start;
    let b = end - 1;
    while (a <= b && isEdge(text.charCodeAt(a))) a++;
    while (b >= a && isEdge(text.charCodeAt(b))) b--;
    let ascii = a <= b;
    for (let k = a; k <= b && ascii; k++) ascii = text.charCodeAt(k) < 128;
    if (ascii) return wordHash(text, a, b + 1, a, b, false, max);
    const bare = bareToken(text.slice(start, end).toLowerCase());
    return bare.length >= 2 && bare.length <= max ? hashText(bare) : -1;
  }
  if (first < 0 || last - first + 1 < 2 || last - first + 1 > max) return -1;
  let h = 0x811c9dc5;
  for (let k = first; k <= last; k++) h = step(h, text.charCodeAt(k));
  return h >>> 0;
}

/** The hash of an ASCII line's normalized form (lowercase, whitespace runs as one space, trimmed). */
function lineAsciiHash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  let pending = false;
  let any = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      pending = any;
      continue;
    }
    if (pending) h = step(h, 32);
    pending = false;
    any = true;
    h = step(h, c);
  }
  return h >>> 0;
}

/** The hash of a line's normalized form when 1..max long, through `normalizeText`; -1 otherwise. */
function lineStringHash(text: string, start: number, end: number, max: number): number {
  const line = normalizeText(text.slice(start, end));
  return line.length > 0 && line.length <= max ? hashText(line) : -1;
}

/**
 * Hands `visit` the hash (`hashText`) of each string `seenStrings` would return, in the same order and
 * within the same `limit`, in one pass without building them: lines are visited as they end, word
 * hashes wait in a typed buffer until the lines are done. A line or word with non-ASCII characters
 * takes the string path (`toLowerCase` may change its length), and a text whose normalized whole is
 * short takes `seenStrings` itself.
 */
export function forEachSeenHash(
  text: string,
  maxLine: number,
  limit: number,
  visit: (hash: number) => void,
): void {
  // Lowercasing never shortens a string, so a whole longer than maxLine once collapsed stays so.
  if (collapsedLength(text, maxLine) <= maxLine) {
    for (const s of seenStrings(text, maxLine, limit)) visit(hashText(s));
    return;
  }
  const n = text.length;
  const words = new Uint32Array(Math.min(limit, (n >>> 1) + 1));
  let wordCount = 0;
  let count = 0;
  let lineStart = 0;
  let lineLength = 0;
  let linePending = false;
  let lineOther = false;
  let wordStart = -1;
  let first = -1;
  let last = -1;
  let wordOther = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 10;
    const space = isSpace(c);
    if (space && wordStart >= 0) {
      const h = wordCount < words.length ? wordHash(text, wordStart, i, first, last, wordOther, maxLine) : -1;
      if (h >= 0) words[wordCount++] = h;
      wordStart = -1;
    } else if (!space) {
      if (wordStart < 0) {
        wordStart = i;
        first = -1;
        wordOther = false;
      }
      if (c >= 128) wordOther = true;
      else if (ASCII[c] === ALNUM) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (c === 10) {
      if (lineLength > 0 && lineLength <= maxLine && count < limit) {
        // Short enough: hash it now (a long line costs only the count above).
        const h = lineOther ? lineStringHash(text, lineStart, i, maxLine) : lineAsciiHash(text, lineStart, i);
        if (h >= 0) {
          visit(h);
          count++;
        }
      }
      lineStart = i + 1;
      lineLength = 0;
      linePending = false;
      lineOther = false;
    } else if (lineLength <= maxLine) {
      if (space) linePending = lineLength > 0;
      else {
        lineLength += linePending ? 2 : 1;
        linePending = false;
        if (c >= 128) lineOther = true;
      }
    }
  }
  for (let k = 0; k < wordCount && count < limit; k++, count++) visit(words[k] as number);
}

/** Whether one UTF-16 code is a word character as `hasWholeWord` sees it. */
function isWordCode(c: number): boolean {
  if (c < 128) return ASCII[c] === ALNUM || ASCII[c] === UNDERSCORE;
  return WORD_CHAR.test(String.fromCharCode(c));
}

/**
 * The hashes (`hashText`) of the words of a text (maximal runs of word characters), at most `max`,
 * sorted and unique: an index `hasWholeWord` matches can be ruled out with, without scanning the text.
 * A whole-word occurrence of a needle contains each of the needle's words as a whole word.
 */
export function wordHashes(text: string, max = 4_096): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < text.length && out.length < max; ) {
    if (!isWordCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let h = 0x811c9dc5;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!isWordCode(c)) break;
      h = Math.imul(h ^ c, 0x01000193);
    }
    out.push(h >>> 0);
  }
  const sorted = Uint32Array.from(out).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i] as number;
  }
  return sorted.slice(0, k);
}

/** Whether a sorted hash index holds `hash`. */
export function hasHash(index: Uint32Array, hash: number): boolean {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = index[mid] as number;
    if (v === hash) return true;
    if (v < hash) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
