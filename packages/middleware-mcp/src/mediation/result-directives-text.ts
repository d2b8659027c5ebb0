/**
 * Text handling for the result-directive detector: folding a text for matching (lowercase, zero-width,
 * bidi and tag characters dropped, NFKC, Latin lookalikes) with a map back to the original offsets, and
 * widening a span to the comment or element that wraps it.
 */
import { normalize } from '@governed-mcp/core';

export interface Folded {
  readonly lower: string;
  /** For each UTF-16 unit of `lower`, the offset of the original unit it came from (absent: same). */
  readonly map: Int32Array | undefined;
}

const PLAIN = /^[\t\n\r\x20-\x7e]*$/;

/** Lowercased, folded text with a map back to the original offsets. */
export function fold(text: string): Folded {
  if (PLAIN.test(text)) return { lower: text.toLowerCase(), map: undefined };
  let out = '';
  const map: number[] = [];
  // Each distinct character is folded once per text (a text repeats few distinct characters).
  const seen = new Map<string, string>();
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    let lower = cp < 0x80 ? ch.toLowerCase() : seen.get(ch);
    if (lower === undefined) {
      lower = normalize(ch).text.toLowerCase();
      seen.set(ch, lower);
    }
    out += lower;
    for (let k = 0; k < lower.length; k++) map.push(i);
    i += width;
  }
  return { lower: out, map: Int32Array.from(map) };
}

/** The original offset of folded offset `at`; `after` gives the offset just past its character. */
export function original(f: Folded, text: string, at: number, after = false): number {
  if (f.map === undefined) return after ? at + 1 : at;
  if (at >= f.map.length) return text.length;
  const o = f.map[at] as number;
  return after ? o + ((text.codePointAt(o) as number) > 0xffff ? 2 : 1) : o;
}

/** How far a wrapper (a comment, an element) may reach around a span. */
const WRAPPER_REACH = 2000;

/**
 * [start, end) widened to the comment or element that wraps it (`<!-- … -->`, `<div hidden>…</div>`),
 * when one opens shortly before it and closes within reach after it: the wrapper is the injection.
 */
export function toWrapper(text: string, start: number, end: number): readonly [number, number] {
  const before = text.slice(Math.max(0, start - 200), start);
  const base = start - before.length;
  const head = text.slice(base, start + 4);
  const tagHead = text.slice(base, Math.min(end, start + 250));
  const comment = head.lastIndexOf('<!--');
  if (comment >= 0 && !head.slice(comment).includes('-->')) {
    const close = text.indexOf('-->', end);
    if (close >= 0 && close - end <= WRAPPER_REACH) return [base + comment, close + 3];
  }
  // The last element opened before the span (or at its start) and not closed before it.
  let open: RegExpExecArray | undefined;
  for (const m of tagHead.matchAll(/<([a-z][\w-]{0,30})\b[^<>]{0,200}>/gi)) {
    if (base + m.index <= start) open = m as RegExpExecArray;
  }
  if (open !== undefined) {
    const tag = (open[1] as string).toLowerCase();
    const after = text.slice(end, end + WRAPPER_REACH).toLowerCase();
    const closeAt = after.indexOf(`</${tag}>`);
    if (
      !text
        .slice(base + open.index, end)
        .toLowerCase()
        .includes(`</${tag}>`) &&
      closeAt >= 0
    ) {
      return [base + open.index, end + closeAt + tag.length + 3];
    }
  }
  return [start, end];
}

/** Most characters a span is carried over wrapped lines to reach the end of its sentence. */
const SENTENCE_REACH = 600;

/**
 * Where the sentence a span ends in really ends: text wrapped at a line width (mail, YAML, fixed-width
 * pages) breaks sentences across lines, and the rest of an instruction (its recipient, its address) sits
 * on the next line. A span that stops at a line break without ending its sentence is carried on to the
 * sentence's end, across at most a few lines and {@link SENTENCE_REACH} characters; a blank line stops it.
 */
export function toSentenceEnd(text: string, end: number): number {
  let at = end;
  for (let lines = 0; lines < 4; lines++) {
    const before = text.slice(Math.max(0, at - 4), at).trimEnd();
    if (/[.!?:;]["')\]]?$/.test(before)) return at;
    const rest = text.slice(at, Math.min(text.length, end + SENTENCE_REACH));
    const line = /^[ \t]*\r?\n[ \t]*(?=\S)/.exec(rest);
    if (line === null) return at;
    const next = rest.slice(line[0].length);
    const stop = /[.!?](?=\s|$|["')\]])|\r?\n/.exec(next);
    if (stop === null) return Math.min(text.length, end + SENTENCE_REACH);
    const isBreak = stop[0].endsWith('\n');
    at = at + line[0].length + stop.index + (isBreak ? 0 : stop[0].length);
    if (!isBreak) return at;
  }
  return at;
}
