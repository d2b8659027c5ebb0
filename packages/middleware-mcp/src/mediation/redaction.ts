/**
 * The response path's secret redactor: every text-bearing field of a server→client message is scanned
 * (alone, and joined with its neighbours) by the maintained rule set and the generic rules, and each
 * secret is replaced with `[REDACTED:<rule>]` before the agent sees it. What was redacted is reported
 * as rule, field path and count — never the secret.
 */
import { applyFindings, collectFields, type FieldFindings, splitJoined } from './redaction-fields.js';
import type { Finding } from './redaction-rules.js';
import { createBudget, DEFAULT_SCAN_BOUNDS, type ScanBounds, scanText } from './redaction-scanner.js';

/** What the response path does with secrets in a result. */
export type RedactionMode = 'redact' | 'block' | 'off';

/** An extra, deployment-specific detector: a name (used in the marker and the audit) and a global pattern. */
export interface SecretPattern {
  readonly kind: string;
  readonly pattern: RegExp;
  /** Index of the capture group that holds the secret; 0 (the whole match) by default. */
  readonly group?: number;
}

/** One redaction: which rule, in which field, how many times. */
export interface RedactionFinding {
  readonly rule: string;
  readonly path: string;
  readonly count: number;
}

/** The outcome of redacting one value: the (copied) value and what was found. */
export interface Redacted<T> {
  readonly value: T;
  readonly count: number;
  /** The rules that fired, each once. */
  readonly kinds: readonly string[];
  readonly findings: readonly RedactionFinding[];
}

/** Options of `redactValue`. */
export interface RedactOptions {
  /** Detectors run in addition to the built-in ones. */
  readonly patterns?: readonly SecretPattern[];
  readonly bounds?: ScanBounds;
}

function patternFindings(text: string, patterns: readonly SecretPattern[]): Finding[] {
  const out: Finding[] = [];
  for (const { kind, pattern, group = 0 } of patterns) {
    if (!pattern.global) throw new TypeError(`secret pattern ${kind} must be global`);
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      const secret = m[group] ?? m[0];
      const start = (m.index ?? 0) + (group === 0 ? 0 : m[0].lastIndexOf(secret));
      if (secret.length > 0) out.push({ rule: kind, start, end: start + secret.length });
    }
  }
  return out;
}

/**
 * Redacts every secret in a JSON value (a result, an error, notification or request params), returning
 * a copy when anything changed. Rejects when scanning fails or exceeds its bounds; the caller withholds
 * the message then (fail-closed).
 */
export async function redactValue<T>(value: T, options: RedactOptions = {}): Promise<Redacted<T>> {
  return redactValueSync(value, options);
}

/**
 * `redactValue` without the promise: every rule runs synchronously, so the response path scans a
 * message without a microtask hop per value. Throws when scanning fails or exceeds its bounds.
 */
export function redactValueSync<T>(value: T, options: RedactOptions = {}): Redacted<T> {
  const budget = createBudget(options.bounds ?? DEFAULT_SCAN_BOUNDS);
  const fields = collectFields(value);
  const perField: FieldFindings = fields.map(() => []);
  for (const [i, f] of fields.entries()) {
    const own = perField[i]!;
    if (f.whole !== undefined) own.push({ rule: f.whole, start: 0, end: f.text.length });
    own.push(...scanText(f.text, budget), ...patternFindings(f.text, options.patterns ?? []));
  }
  // Joined, a token or key split across neighbouring fields is seen whole.
  if (fields.length > 1) splitJoined(fields, scanText(fields.map((f) => f.text).join(''), budget), perField);
  if (perField.every((list) => list.length === 0)) return { value, count: 0, kinds: [], findings: [] };

  // The value is plain JSON already checked by the frame inspector; its copy has the same fields in order.
  const copy = JSON.parse(JSON.stringify(value)) as T;
  const targets = collectFields(copy);
  const findings: RedactionFinding[] = [];
  for (const [i, f] of fields.entries()) {
    const list = perField[i]!;
    const target = targets[i];
    if (list.length === 0) continue;
    if (target === undefined || target.path !== f.path)
      throw new Error('the copied message does not match the scanned one');
    const { text, rules } = applyFindings(f.text, list);
    const encoded = f.encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
    (target.holder as Record<string | number, unknown>)[target.key] = encoded;
    const counts = new Map<string, number>();
    for (const r of rules) counts.set(r, (counts.get(r) ?? 0) + 1);
    for (const [rule, count] of counts) findings.push({ rule, path: f.path, count });
  }
  const count = findings.reduce((n, f) => n + f.count, 0);
  return { value: copy, count, kinds: [...new Set(findings.map((f) => f.rule))], findings };
}

/** Redacts the secrets in one string. */
export async function redactText(text: string, options: RedactOptions = {}): Promise<Redacted<string>> {
  const r = await redactValue({ text }, options);
  return { ...r, value: r.value.text };
}
