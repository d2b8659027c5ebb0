/**
 * The scanning machinery of `findValues`: a collector that refuses overlapping spans with one binary
 * search, passes anchored on a literal the pattern needs (so a pattern is tried only where it can
 * start), and a one-pass identifier scan that allocates nothing per word.
 */
import type { ValueKind } from '../session-facts.js';

/** One value found in a text: its kind, its normalized spelling and where it sits. */
export interface FoundValue {
  readonly kind: ValueKind;
  /** The normalized value: the spelling two mentions of the same value share. */
  readonly value: string;
  /** UTF-16 offsets of the mention in the text. */
  readonly start: number;
  readonly end: number;
}

/** Collects values in one text, keeping at most `limit`, refusing spans that overlap one already taken. */
export class Collector {
  readonly found: FoundValue[] = [];
  // Taken spans, disjoint and sorted by start (hence by end too): an overlap test is one binary search.
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.found.length >= this.limit;
  }

  /** Index of the first taken span that ends after `start`: the only one a span at `start` can overlap. */
  private firstEndingAfter(start: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) > start) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Adds a value unless its span is taken (or `shared`, for a URL's host, which shares its URL's span). */
  add(kind: ValueKind, value: string, start: number, end: number, shared = false): void {
    if (this.full || value === '') return;
    if (!shared) {
      const k = this.firstEndingAfter(start);
      if (k < this.starts.length && (this.starts[k] as number) < end) return;
      this.starts.splice(k, 0, start);
      this.ends.splice(k, 0, end);
    }
    this.found.push({ kind, value, start, end });
  }

  /** Runs a global pattern over the text, handing each match to `take` until the collector is full. */
  each(re: RegExp, text: string, take: (m: RegExpExecArray) => void): void {
    if (this.full) return;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      take(m);
      if (this.full) return;
    }
  }
}

/** Whether a UTF-16 code is in `[A-Za-z0-9]`. */
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `[\w-]` by what it adds to an identifier: 1 a letter, 2 a digit or `_`, 4 a hyphen; 0 outside. */
const TOKEN_CLASS = new Uint8Array(128);
for (let ch = 65; ch <= 90; ch++) TOKEN_CLASS[ch] = 1;
for (let ch = 97; ch <= 122; ch++) TOKEN_CLASS[ch] = 1;
for (let ch = 48; ch <= 57; ch++) TOKEN_CLASS[ch] = 2;
TOKEN_CLASS[95] = 2;
TOKEN_CLASS[45] = 4;

/**
 * Identifiers, as `TOKEN` + `isIdentifier` would find them, in one pass without a match per word: a
 * maximal run of `[\w-]` of 4–64 characters that starts and ends with a letter or digit and mixes
 * letters with digits or underscores. (A `TOKEN` match must span its whole run: its lookarounds refuse
 * a `[\w-]` on either side.)
 */
export function collectIdentifiers(c: Collector, t: string): void {
  const n = t.length;
  let i = 0;
  while (i < n && !c.full) {
    let ch = t.charCodeAt(i);
    if (ch >= 128 || TOKEN_CLASS[ch] === 0) {
      i++;
      continue;
    }
    const start = i;
    let seen = 0;
    for (; i < n; i++) {
      ch = t.charCodeAt(i);
      const k = ch < 128 ? (TOKEN_CLASS[ch] as number) : 0;
      if (k === 0) break;
      seen |= k;
    }
    const length = i - start;
    if (
      (seen & 3) === 3 &&
      length >= 4 &&
      length <= 64 &&
      isAlnum(t.charCodeAt(start)) &&
      isAlnum(t.charCodeAt(i - 1))
    ) {
      c.add('identifier', t.slice(start, i), start, i);
    }
  }
}

/**
 * Runs a sticky pattern only where it can match: for each occurrence of `anchor` (a literal every match
 * contains), at the starts `lo(at)`..`hi(at)` in order, and hands the first match to `take`. Equal to a
 * global scan when every match starts in that range and contains the anchor at `at`: matches come in
 * the same order, and a start inside the previous match is skipped as the global scan would.
 */
export function eachAnchored(
  c: Collector,
  sticky: RegExp,
  text: string,
  anchor: string,
  lo: (at: number) => number,
  hi: (at: number) => number,
  take: (m: RegExpExecArray) => void,
): void {
  let from = 0;
  for (let at = text.indexOf(anchor); at >= 0 && !c.full; at = text.indexOf(anchor, at + 1)) {
    for (let s = Math.max(lo(at), from), last = hi(at); s <= last; s++) {
      sticky.lastIndex = s;
      const m = sticky.exec(text);
      if (m === null) continue;
      from = s + m[0].length;
      take(m);
      break;
    }
  }
}

/** Whether a UTF-16 code is in an e-mail's local part: `[A-Za-z0-9._%+-]`. */
function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

/**
 * Where an e-mail whose `@` is at `at` must start: the first character of the run of local-part
 * characters before it (the pattern's lookbehind refuses a start inside the run); `at` itself (no
 * start) when that run is empty or longer than 64.
 */
export function localPartStart(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s <= 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
  return at - s >= 1 && at - s <= 64 ? s : at;
}

/** Whether a UTF-16 code may sit in a bare domain name: `[A-Za-z0-9.-]`. */
function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}

/**
 * Runs a sticky bare-domain pattern only at the start of each run of domain characters that holds a
 * top-level-domain dot (`tldDot`, global): the pattern's lookbehind refuses a start inside such a run,
 * and its match holds such a dot. The walk back to a run's start stops at the previous dot found, so
 * the whole pass stays linear.
 */
export function eachBareDomain(
  c: Collector,
  sticky: RegExp,
  tldDot: RegExp,
  text: string,
  take: (m: RegExpExecArray) => void,
): void {
  let from = 0;
  let prevDot = -1;
  let prevStart = 0;
  tldDot.lastIndex = 0;
  for (let d = tldDot.exec(text); d !== null && !c.full; d = tldDot.exec(text)) {
    const dot = d.index;
    let s = dot;
    while (s > 0 && s - 1 > prevDot && isDomainChar(text.charCodeAt(s - 1))) s--;
    if (s - 1 === prevDot && prevDot >= 0) s = prevStart;
    prevDot = dot;
    prevStart = s;
    if (s < from) continue;
    sticky.lastIndex = s;
    const m = sticky.exec(text);
    if (m === null) continue;
    from = s + m[0].length;
    take(m);
  }
}
