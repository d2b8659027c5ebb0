/**
 * How a string is used, which decides which detectors apply: a `command` (a shell-ish argument or a
 * shell tool), a short single-line `value`, a multi-line or long `document` that may merely *mention*
 * dangerous text, or text recovered by `decoded`ing an argument (hiding is a signal in itself).
 */
export type TextRole = 'command' | 'value' | 'document' | 'decoded';

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

/**
 * A detector from patterns: runs when the text holds any of `hints` (plain substrings of `lower`,
 * a cheap guard so that most text skips the regular expressions) and reports the first match.
 */
export function patternDetector(
  id: string,
  roles: readonly TextRole[],
  hints: readonly string[],
  patterns: readonly Pattern[],
): Detector {
  // One alternation of the hints: a single pass over the text instead of one search per hint.
  const trigger =
    hints.length === 0
      ? undefined
      : new RegExp(hints.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  return {
    id,
    roles,
    scan(t, _call, out) {
      if (trigger !== undefined && !trigger.test(t.lower)) return;
      for (const p of patterns) {
        const m = p.re.exec(p.caseSensitive === true ? t.text : t.lower);
        if (m !== null) {
          out.push(finding(id, p.code, t, m.index, m[0].length));
          return;
        }
      }
    },
  };
}
