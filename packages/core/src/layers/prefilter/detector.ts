import { TextFlag } from './text-profile.js';

/**
 * How a string is used, which decides which detectors apply: a `command` (a shell-ish argument or a
 * shell tool), a short single-line `value`, a multi-line or long `document` that may merely *mention*
 * dangerous text, or text recovered by `decoded`ing an argument (hiding is a signal in itself).
 */
export type TextRole = 'command' | 'value' | 'document' | 'decoded';

/** Every role, for detectors that read text however it is used. */
export const ALL_ROLES: readonly TextRole[] = Object.freeze(['command', 'value', 'document', 'decoded']);

/** One piece of text the detectors look at. */
export interface ScanText {
  /** Normalised text (NFKC, invisible characters removed, homoglyphs folded). */
  readonly text: string;
  /** `text` in lower case, for case-insensitive patterns. */
  readonly lower: string;
  readonly role: TextRole;
  /** The nearest object key, lower case ('' at the top or in arrays). */
  readonly key: string;
  /** JSON pointer of the argument the text came from. */
  readonly path: string;
  /** Decoders applied to reach this text, outermost first (empty for the argument itself). */
  readonly via: readonly string[];
  /** True when the text is a whole argument value, not a fragment or a decoding of one. */
  readonly whole: boolean;
  /** `TextFlag` bits of `text` (from one pass over it): lets detectors skip text that cannot match. */
  readonly flags: number;
}

/** What detectors know about the call as a whole. */
export interface CallFacts {
  /** Lower-case tool name. */
  readonly tool: string;
  /** The tool may reach outside the host (MCP's openWorldHint is not false). */
  readonly outward: boolean;
  /** The tool may write (not annotated read-only and not named like a reader). */
  readonly writes: boolean;
  /** The tool runs queries (its name says so). */
  readonly sqlTool: boolean;
  /** The call is MCP's `resources/read` request: its `uri` names a resource by the server's own URI. */
  readonly resourceRead?: boolean;
}

/** One match: which detector, a finer code, where, and what matched. */
export interface Finding {
  readonly detector: string;
  readonly code: string;
  readonly path: string;
  /** Start and end of the match in the normalised (and, with `via`, decoded) text. */
  readonly span: readonly [number, number];
  /** The matched text, shortened to 120 characters. */
  readonly match: string;
  readonly via: readonly string[];
  /** Disguises found on the argument the match came from (homoglyph, invisible, tags, bidi, nfkc). */
  readonly disguises?: readonly string[];
  /** Set when context makes the finding informative only (e.g. a secret passed to a closed-world tool). */
  readonly recordOnly?: true;
}

/** A named check over one text. It pushes findings; it never throws on any input. */
export interface Detector {
  readonly id: string;
  /** Roles the detector reads; others are skipped. */
  readonly roles: readonly TextRole[];
  scan(t: ScanText, call: CallFacts, out: Finding[]): void;
}

/** A detector pattern: a finer code and a linear-time RegExp (bounded gaps, no nested quantifiers). */
export interface Pattern {
  readonly code: string;
  readonly re: RegExp;
  /** Match against the original-case text instead of `lower`. */
  readonly caseSensitive?: boolean;
}

const MAX_MATCH = 120;

/** A finding for a match of `length` characters at `index` of `t`. */
export function finding(
  detector: string,
  code: string,
  t: ScanText,
  index: number,
  length: number,
  extra?: { recordOnly?: boolean },
): Finding {
  const match = t.text.slice(index, index + Math.min(length, MAX_MATCH));
  const base = { detector, code, path: t.path, span: [index, index + length] as const, match, via: t.via };
  return extra?.recordOnly === true ? { ...base, recordOnly: true } : base;
}

/** Patterns merged into one alternation per case mode, so a text is read once, not once per pattern. */
export interface PatternSet {
  readonly patterns: readonly Pattern[];
  readonly lower: RegExp | undefined;
  readonly text: RegExp | undefined;
}

function alternation(patterns: readonly Pattern[]): RegExp | undefined {
  return patterns.length === 0 ? undefined : new RegExp(patterns.map((p) => `(?:${p.re.source})`).join('|'));
}

/** Merges patterns (none may use numbered backreferences, which merging would renumber). */
export function patternSet(patterns: readonly Pattern[]): PatternSet {
  return {
    patterns,
    lower: alternation(patterns.filter((p) => p.caseSensitive !== true)),
    text: alternation(patterns.filter((p) => p.caseSensitive === true)),
  };
}

/** The first pattern of the set that matches `t`, with its match; one pass when nothing matches. */
export function matchSet(
  set: PatternSet,
  t: ScanText,
): { code: string; index: number; length: number } | undefined {
  const hit = set.lower?.test(t.lower) === true || set.text?.test(t.text) === true;
  if (!hit) return undefined;
  for (const p of set.patterns) {
    const m = p.re.exec(p.caseSensitive === true ? t.text : t.lower);
    if (m !== null) return { code: p.code, index: m.index, length: m[0].length };
  }
  return undefined;
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * A RegExp matching exactly the given literals, written as a prefix tree (`i(?:gnore|nform)|…`)
 * rather than a flat alternation: the engine then tests each starting character once instead of
 * once per literal. Literals only (no quantifiers), so it is linear in the text.
 */
export function literalTrie(words: readonly string[]): RegExp {
  interface TrieNode {
    end: boolean;
    next: Map<string, TrieNode>;
  }
  const root: TrieNode = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const ch of word) {
      let child = node.next.get(ch);
      if (child === undefined) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  // A node that ends a literal matches there already: a longer literal through it adds nothing.
  const emit = (node: TrieNode): string => {
    if (node.end) return '';
    const parts = [...node.next].map(([ch, child]) => escapeLiteral(ch) + emit(child));
    return parts.length === 1 ? (parts[0] as string) : `(?:${parts.join('|')})`;
  };
  return new RegExp(emit(root));
}

/** How a pattern detector narrows its work: a literal trigger, optionally with a match window. */
export interface PatternGate {
  /** Literals one of which every pattern needs; text without any is skipped. */
  readonly trigger: RegExp;
  /**
   * When set, every match lies within this many characters of a trigger hit, so the patterns run on
   * windows around the hits instead of the whole text (up to 8 hits; more fall back to the whole).
   */
  readonly window?: number;
}

const MAX_WINDOWS = 8;

function windowed(set: PatternSet, t: ScanText, gate: PatternGate & { window: number }, global: RegExp) {
  global.lastIndex = 0;
  const hits: number[] = [];
  for (let m = global.exec(t.lower); m !== null && hits.length <= MAX_WINDOWS; m = global.exec(t.lower)) {
    hits.push(m.index);
    if (m[0].length === 0) global.lastIndex++;
  }
  if (hits.length > MAX_WINDOWS) return matchSet(set, t);
  let covered = -1;
  for (const hit of hits) {
    const from = Math.max(0, hit - gate.window, covered);
    const to = Math.min(t.lower.length, hit + gate.window);
    if (to <= from) continue;
    covered = to;
    const view = { ...t, text: t.text.slice(from, to), lower: t.lower.slice(from, to) };
    const m = matchSet(set, view);
    if (m !== undefined) return { ...m, index: m.index + from };
  }
  return undefined;
}

/**
 * A detector from patterns: reports the first pattern that matches, after an optional `gate`.
 */
export function patternDetector(
  id: string,
  roles: readonly TextRole[],
  patterns: readonly Pattern[],
  gate?: PatternGate,
): Detector {
  const set = patternSet(patterns);
  const global = gate?.window === undefined ? undefined : new RegExp(gate.trigger.source, 'g');
  return {
    id,
    roles,
    scan(t, _call, out) {
      if (gate !== undefined && !gate.trigger.test(t.lower)) return;
      // Windows hold for plain ASCII without wide whitespace runs, where every pattern's reach is
      // bounded; anything else is read whole.
      const narrow =
        global !== undefined &&
        gate?.window !== undefined &&
        (t.flags & (TextFlag.NonPlain | TextFlag.WideSpace)) === 0 &&
        t.text.length === t.lower.length;
      const m = narrow
        ? windowed(set, t, { ...gate, window: gate.window as number }, global)
        : matchSet(set, t);
      if (m !== undefined) out.push(finding(id, m.code, t, m.index, m.length));
    },
  };
}
