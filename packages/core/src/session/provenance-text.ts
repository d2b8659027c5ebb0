/**
 * Text helpers of the provenance ledger: one normalized spelling, whole-word search, compact hashes of
 * words seen harmlessly, and a bounded walk over a call's argument strings and numbers.
 */

/** Lowercase, whitespace collapsed, trimmed: the spelling instruction texts and argument strings share. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** FNV-1a (32-bit) of a string: known words are kept as numbers, which costs far less than strings. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One word character (`hasWholeWord`'s notion of a word). */
export const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Whether `needle` occurs in `haystack` as a whole word (not inside a longer word). */
export function hasWholeWord(haystack: string, needle: string): boolean {
  if (needle === '') return false;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    const before = i === 0 ? '' : (haystack[i - 1] as string);
    const after = haystack[i + needle.length] ?? '';
    const startsWord = WORD_CHAR.test(needle[0] as string);
    const endsWord = WORD_CHAR.test(needle[needle.length - 1] as string);
    if ((!startsWord || !WORD_CHAR.test(before)) && (!endsWord || !WORD_CHAR.test(after))) return true;
  }
  return false;
}

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** A token without the punctuation around it (`#general,` → `general`). */
export function bareToken(token: string): string {
  return token.replace(EDGE_PUNCTUATION, '');
}

/**
 * The short strings of a text that count as seen: each word (bare), each line of at most `maxLine`
 * characters and the whole text when it is that short, all normalized. Stops after `limit` entries.
 */
export function seenStrings(text: string, maxLine: number, limit: number): string[] {
  const out: string[] = [];
  const whole = normalizeText(text);
  if (whole.length <= maxLine) out.push(whole);
  for (const line of text.split('\n')) {
    if (out.length >= limit) break;
    const n = normalizeText(line);
    if (n.length > 0 && n.length <= maxLine && n !== whole) out.push(n);
  }
  for (const word of whole.split(' ')) {
    if (out.length >= limit) break;
    const bare = bareToken(word);
    if (bare.length >= 2 && bare.length <= maxLine) out.push(bare);
  }
  return out;
}

/** Bounds of the argument walk in `originsOf`. */
export const WALK_LIMITS = Object.freeze({ maxDepth: 32, maxNodes: 10_000, maxStringChars: 64 * 1024 });

/** One argument leaf: its path (`to[0]`, `payment.recipient`) and its string or number. */
export interface ArgumentLeaf {
  readonly path: string;
  readonly value: string | number;
}

function childPath(parent: string, key: string, index: boolean): string {
  if (index) return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * The strings and finite numbers of an argument object, breadth-first within `WALK_LIMITS`. Never
 * throws: a getter or proxy that throws ends the walk with what was collected.
 */
export function argumentLeaves(args: unknown): ArgumentLeaf[] {
  const leaves: ArgumentLeaf[] = [];
  const queue: { v: unknown; path: string; depth: number }[] = [{ v: args, path: '', depth: 0 }];
  let nodes = 0;
  try {
    for (let i = 0; i < queue.length; i++) {
      const { v, path, depth } = queue[i] as { v: unknown; path: string; depth: number };
      if (++nodes > WALK_LIMITS.maxNodes) break;
      if (typeof v === 'string') {
        leaves.push({
          path,
          value: v.length > WALK_LIMITS.maxStringChars ? v.slice(0, WALK_LIMITS.maxStringChars) : v,
        });
      } else if (typeof v === 'number') {
        if (Number.isFinite(v)) leaves.push({ path, value: v });
      } else if (typeof v === 'object' && v !== null && depth < WALK_LIMITS.maxDepth) {
        const isArray = Array.isArray(v);
        const keys = isArray ? [] : Object.keys(v);
        const n = isArray ? (v as unknown[]).length : keys.length;
        for (let k = 0; k < n && queue.length < WALK_LIMITS.maxNodes; k++) {
          const key = isArray ? String(k) : (keys[k] as string);
          let child: unknown;
          try {
            child = isArray ? (v as unknown[])[k] : (v as Record<string, unknown>)[key];
          } catch {
            continue; // A getter that throws hides only its own value.
          }
          queue.push({ v: child, path: childPath(path, key, isArray), depth: depth + 1 });
        }
      }
    }
  } catch {
    // A hostile getter: keep what was found.
  }
  return leaves;
}

const NUMBER_TOKEN =
  /(?<![\w.,])\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,8})?(?![\w,])|(?<![\w.,])\d{1,15}(?:\.\d{1,8})?(?![\w,])/g;

/** Number tokens of a text, normalized as amounts (`1,200.50` → `1200.5`). */
export function numberTokens(text: string, into: Set<string>): void {
  NUMBER_TOKEN.lastIndex = 0;
  for (let m = NUMBER_TOKEN.exec(text); m !== null && into.size < 256; m = NUMBER_TOKEN.exec(text)) {
    const n = Number(m[0].replace(/,/g, ''));
    if (Number.isFinite(n)) into.add(String(n));
  }
}

/** Longest instruction span known to be whole: longer ones may have been cut short by the judge. */
const WHOLE_SPAN_CHARS = 1_999;

/**
 * `text` with every instruction span that occurs in it cut out, or undefined when a span may have been
 * cut short (then what follows it in the text could be the rest of the instruction).
 */
export function withoutSpans(text: string, spans: readonly string[]): string | undefined {
  let rest = text;
  for (const span of spans) {
    if (typeof span !== 'string' || span === '') continue;
    if (span.length > WHOLE_SPAN_CHARS) return undefined;
    if (rest.includes(span)) rest = rest.split(span).join(' ');
  }
  return rest;
}
