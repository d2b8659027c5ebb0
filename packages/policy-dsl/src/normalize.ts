import { normalizePath } from '@governed-mcp/core';

// Format characters (zero-width spaces and joiners, bidi overrides, soft hyphens) render as nothing,
// so an attacker can use them to split a word a rule looks for. A character class cannot backtrack.
const FORMAT_CHARS = /\p{Cf}/gu;
const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * Normalises a string before matching: Unicode NFKC (full-width and compatibility forms fold to
 * their plain letters) and removal of invisible format characters. Confusable letters from other
 * scripts (a Cyrillic `е` for a Latin `e`) are not folded here; the pre-filter layer handles those.
 */
export function normalizeText(s: string): string {
  if (ASCII_PRINTABLE.test(s)) return s;
  return s.normalize('NFKC').replace(FORMAT_CHARS, '');
}

/**
 * The forms of a path that a path glob is tested against: core's `normalizePath` form (`file://`
 * URLs, percent encoding, `\\` read as `/`, `$HOME` and `${HOME}` read as `~`, `.`, `..`, repeated
 * and trailing slashes collapsed; the one normaliser of the gate), the normalised text for strings
 * that are not paths; and, for a relative path that climbs above its base (`../etc/passwd`), the
 * same path without the leading `../` parts, since the base is not known here.
 * @example
 * pathForms('./a/../../etc/passwd') // ['../etc/passwd', 'etc/passwd']
 */
export function pathForms(raw: string): readonly string[] {
  const hit = formsCache.get(raw);
  if (hit !== undefined) return hit;
  const forms = Object.freeze(computePathForms(raw));
  // Several rules glob the same strings of one call; a small cache of this pure function saves the work.
  if (raw.length <= 4096) {
    if (formsCache.size >= 2048) formsCache.clear();
    formsCache.set(raw, forms);
  }
  return forms;
}

const formsCache = new Map<string, readonly string[]>();

function computePathForms(raw: string): string[] {
  const text = normalizeText(raw);
  if (text === '') return [text];
  const form = normalizePath(text) ?? text.replaceAll('\\', '/');
  if (!form.startsWith('../') && form !== '..') return [form];
  let rest = form;
  while (rest.startsWith('../')) rest = rest.slice(3);
  return rest === '..' ? [form] : [form, rest];
}

/** A number for numeric comparisons: a finite number, or a string that is exactly a decimal number. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const t = normalizeText(value).trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
