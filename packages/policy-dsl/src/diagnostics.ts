import type { Span } from './ast.js';

/** Codes of policy diagnostics. Stable strings: tests and tools match on them. */
export const PolicyErrorCode = {
  /** A character that starts no token. */
  UnexpectedCharacter: 'unexpected_character',
  /** A string or regular expression literal without its closing quote or slash. */
  UnterminatedLiteral: 'unterminated_literal',
  /** A backslash escape the language does not know. */
  InvalidEscape: 'invalid_escape',
  /** The parser expected something else here. */
  UnexpectedToken: 'unexpected_token',
  /** A statement keyword, block setting or predicate subject the language does not know. */
  UnknownField: 'unknown_field',
  /** A tier name that no `tier` block (or the default tier table) declares. */
  UnknownTier: 'unknown_tier',
  /** A capability class or value kind the gate does not know (`tool class …`, `tool.class == …`). */
  UnknownClass: 'unknown_class',
  /** An operator applied to a subject or value of the wrong type. */
  TypeMismatch: 'type_mismatch',
  /** A number outside its allowed range. */
  OutOfRange: 'value_out_of_range',
  /** A regular expression that RE2 (linear time) rejects. */
  InvalidRegex: 'invalid_regex',
  /** A glob pattern that cannot be compiled. */
  InvalidGlob: 'invalid_glob',
  /** Two rules, tiers or defaults where one is allowed. */
  Duplicate: 'duplicate',
  /** A required part is missing (a rule's reason, the file-level default). */
  Missing: 'missing',
  /** A rule that can never decide a call. */
  UnreachableRule: 'unreachable_rule',
  /** An included file that cannot be read. */
  IncludeNotFound: 'include_not_found',
  /** A file that includes itself, directly or through others. */
  IncludeCycle: 'include_cycle',
  /** `include` seen by a compile that was given no way to load files. */
  IncludeUnresolved: 'include_unresolved',
  /** The compiled settings do not validate as gate settings. */
  InvalidSettings: 'invalid_settings',
  /** The policy file itself cannot be read. */
  Io: 'io_error',
} as const;

/** One of the policy diagnostic codes. */
export type PolicyErrorCode = (typeof PolicyErrorCode)[keyof typeof PolicyErrorCode];

/** How bad a diagnostic is: errors stop a policy from loading, warnings do not. */
export type Severity = 'error' | 'warning';

/** A problem in a policy file, located at file:line:col, with a caret excerpt of the source line. */
export interface PolicyDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: Severity;
  readonly code: PolicyErrorCode;
  readonly message: string;
  /** The offending source line and a caret line under the span; empty when there is no source. */
  readonly excerpt: string;
}

/**
 * Renders the source line of `span` with a caret line under it.
 * @example
 * caretExcerpt('when tier >= trused', { line: 1, col: 14, length: 6 })
 * // '    1 | when tier >= trused\n      |              ^^^^^^'
 */
export function caretExcerpt(source: string, span: Span): string {
  const lines = source.split(/\r?\n/);
  const text = lines[span.line - 1];
  if (text === undefined) return '';
  const gutter = String(span.line).padStart(5);
  const room = Math.max(1, text.length - span.col + 1);
  const carets = '^'.repeat(Math.max(1, Math.min(span.length, room)));
  // Tabs keep their width in the caret line so the caret sits under the right character.
  const pad = text.slice(0, span.col - 1).replace(/[^\t]/g, ' ');
  return `${gutter} | ${text}\n${' '.repeat(5)} | ${pad}${carets}`;
}

/** Builds a diagnostic with its excerpt. */
export function diagnostic(
  file: string,
  source: string,
  span: Span,
  code: PolicyErrorCode,
  message: string,
  severity: Severity = 'error',
): PolicyDiagnostic {
  return {
    file,
    line: span.line,
    col: span.col,
    severity,
    code,
    message,
    excerpt: source === '' ? '' : caretExcerpt(source, span),
  };
}

/**
 * Formats a diagnostic as `FILE:LINE:COL: message` (warnings say `warning:` first), then the excerpt.
 * @example
 * formatDiagnostic(d) // 'base.policy:3:14: unknown tier \'trused\'\n    3 | …\n      |   ^^^^^^'
 */
export function formatDiagnostic(d: PolicyDiagnostic): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
  return d.excerpt === '' ? head : `${head}\n${d.excerpt}`;
}

/** Orders diagnostics by file, then line, then column. */
export function sortDiagnostics(list: readonly PolicyDiagnostic[]): PolicyDiagnostic[] {
  return [...list].sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1,
  );
}

/** The closest word in `known` to `word`, when it is close enough to be a likely typo. */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** A message tail like ` (did you mean 'x'?)`, or nothing. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const s = suggest(word, known);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}
