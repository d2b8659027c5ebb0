/**
 * Finds secrets in one text: the maintained rule set (secretlint's recommended preset: cloud, VCS,
 * registry, chat, payment and model-provider tokens, private keys, connection strings, Vault tokens),
 * the generic rules of `redaction-rules.ts`, and base64 runs that decode to text holding a secret.
 */
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { type Finding, genericFindings } from './redaction-rules.js';

// secretlint's profiler (on by default) leaves `performance.mark` entries on the process's global
// timeline for every rule of every scan, never cleared: ~33 KB per scanned message, forever. A gate
// scans every result of a long-lived process, so it is switched off for good here.
secretLintProfiler.setEnabled(false);

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

const PRESET = '@secretlint/secretlint-rule-preset-recommend';
const CONFIG: Parameters<typeof lintSource>[0]['options']['config'] = {
  rules: [
    {
      id: PRESET,
      rule: recommended,
      rules: [
        // Bare access key ids are secrets here (the scanner's default reports only the secret key).
        { id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } },
        // The text is the other side's: it must not be able to switch rules off with a comment.
        { id: '@secretlint/secretlint-rule-filter-comments', disabled: true },
      ],
    },
  ],
};

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

async function maintainedFindings(text: string): Promise<Finding[]> {
  const result = await lintSource({
    source: { filePath: '/result.txt', content: text, ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true, maskSecrets: true },
  });
  return result.messages.map((m) => ({
    rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ''),
    start: m.range[0],
    end: m.range[1],
  }));
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

/** Every secret in `text`, possibly overlapping, in no particular order. `depth` bounds nested base64. */
export async function scanText(text: string, budget: ScanBudget, depth = 0): Promise<Finding[]> {
  spend(budget, text.length);
  if (text.length === 0) return [];
  const found = [...(await maintainedFindings(text)), ...genericFindings(text)];
  spend(budget, 0);
  if (depth >= 2) return found;
  // matchAll iterates a copy of the pattern, so the nested scans below cannot reset this loop.
  for (const m of text.matchAll(BASE64_RUN)) {
    const inner = asText(m[0]);
    if (inner === undefined) continue;
    const hits = await scanText(inner, budget, depth + 1);
    if (hits.length > 0)
      found.push({
        rule: `encoded-${hits[0]?.rule ?? 'secret'}`,
        start: m.index,
        end: m.index + m[0].length,
      });
  }
  return found;
}
