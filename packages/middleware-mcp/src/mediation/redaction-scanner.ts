/**
 * Finds secrets in one text: the maintained rule set (secretlint's recommended preset: cloud, VCS,
 * registry, chat, payment and model-provider tokens, private keys, connection strings, Vault tokens),
 * the generic rules of `redaction-rules.ts`, and base64 runs that decode to text holding a secret.
 */
import { maintainedFindings } from './redaction-maintained.js';
import { type Finding, genericFindings } from './redaction-rules.js';

/** Bounds on one scan; past them the scan throws and the message is withheld (fail-closed). */
export interface ScanBounds {
  /** Characters scanned in all, counting decoded text. */
  readonly maxChars: number;
  /** Wall-clock time for one message, in milliseconds. */
  readonly maxMs: number;
}

/** The default bounds: four frames' worth of text, two seconds. */
export const DEFAULT_SCAN_BOUNDS: ScanBounds = Object.freeze({ maxChars: 16 * 1024 * 1024, maxMs: 2000 });

/** Thrown when a scan exceeds its bounds. */
export class ScanBoundsError extends Error {
  override readonly name = 'ScanBoundsError';
}

const BASE64_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;

/** Per-message scanning state: the budget spent so far. */
export interface ScanBudget {
  readonly bounds: ScanBounds;
  readonly deadline: number;
  chars: number;
}

/** A fresh budget for one message. */
export function createBudget(bounds: ScanBounds = DEFAULT_SCAN_BOUNDS): ScanBudget {
  return { bounds, deadline: performance.now() + bounds.maxMs, chars: 0 };
}

function spend(budget: ScanBudget, chars: number): void {
  budget.chars += chars;
  if (budget.chars > budget.bounds.maxChars)
    throw new ScanBoundsError(`more than ${budget.bounds.maxChars} characters to scan`);
  if (performance.now() > budget.deadline)
    throw new ScanBoundsError(`scanning took longer than ${budget.bounds.maxMs} ms`);
}

// Decoded bytes are text when they are valid UTF-8 and almost all printable.
function asText(run: string): string | undefined {
  const bytes = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < 12) return undefined;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let bad = 0;
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    if (code === 0xfffd || (code < 32 && code !== 9 && code !== 10 && code !== 13)) bad++;
  }
  return bad <= text.length / 50 ? text : undefined;
}

/**
 * Decodes `text` if it is base64 of text, for fields (`blob`, image `data`) that carry bytes; undefined
 * when it is not base64 or decodes to binary.
 */
export function decodedText(text: string): string | undefined {
  return /^[A-Za-z0-9+/\s]*=*$/.test(text) ? asText(text.replace(/\s/g, '')) : undefined;
}

/**
 * Every secret in `text`, possibly overlapping, in no particular order. `depth` bounds nested base64.
 * Synchronous: every rule is, and a scan holds no promise hop per field.
 */
export function scanText(text: string, budget: ScanBudget, depth = 0): Finding[] {
  spend(budget, text.length);
  if (text.length === 0) return [];
  const found = [...maintainedFindings(text), ...genericFindings(text)];
  spend(budget, 0);
  if (depth >= 2) return found;
  // matchAll iterates a copy of the pattern, so the nested scans below cannot reset this loop.
  for (const m of text.matchAll(BASE64_RUN)) {
    const inner = asText(m[0]);
    if (inner === undefined) continue;
    const hits = scanText(inner, budget, depth + 1);
    if (hits.length > 0)
      found.push({
        rule: `encoded-${hits[0]?.rule ?? 'secret'}`,
        start: m.index,
        end: m.index + m[0].length,
      });
  }
  return found;
}
