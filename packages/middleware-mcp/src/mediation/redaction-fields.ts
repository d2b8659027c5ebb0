/**
 * The text-bearing fields of one message, in document order: every string, with `blob` and image/audio
 * `data` decoded when they hold text. Fields are scanned alone and joined (so a key or token split
 * across content items is seen whole), and each field gets the part of a finding that falls in it.
 */
import { looksGenerated } from '@governed-mcp/core';
import { CREDENTIAL_LABEL, type Finding } from './redaction-rules.js';
import { decodedText } from './redaction-scanner.js';

/** One text-bearing field. */
export interface Field {
  readonly path: string;
  readonly text: string;
  readonly holder: Record<string, unknown> | unknown[];
  readonly key: string | number;
  /** `base64`: the field holds the text's UTF-8 bytes in base64, and is re-encoded after redaction. */
  readonly encoding: 'text' | 'base64';
  /** A finding that covers the whole field because of where it sits (a credential-named key, a Secret). */
  readonly whole?: string;
}

function isBinary(parent: Record<string, unknown>, key: string): boolean {
  return key === 'blob' || (key === 'data' && (parent.type === 'image' || parent.type === 'audio'));
}

/** Collects the fields of `value` in document order. */
export function collectFields(value: unknown): Field[] {
  const fields: Field[] = [];
  const walk = (v: unknown, path: string, inSecret: boolean): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const p = `${path}[${i}]`;
        if (typeof item === 'string')
          fields.push(field(v, i, p, item, inSecret ? 'kubernetes-secret' : undefined));
        else walk(item, p, inSecret);
      });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const obj = v as Record<string, unknown>;
    const secretDoc = obj.kind === 'Secret';
    for (const key of Object.keys(obj)) {
      const child = obj[key];
      const p = path === '' ? key : `${path}.${key}`;
      const under = inSecret || (secretDoc && (key === 'data' || key === 'stringData'));
      if (typeof child !== 'string') {
        walk(child, p, under);
        continue;
      }
      if (isBinary(obj, key)) {
        const text = decodedText(child);
        if (text !== undefined) fields.push({ path: p, text, holder: obj, key, encoding: 'base64' });
        continue;
      }
      const labelled =
        CREDENTIAL_LABEL.test(key) && looksGenerated(child, key) ? 'assigned-secret' : undefined;
      fields.push(field(obj, key, p, child, under ? 'kubernetes-secret' : labelled));
    }
  };
  walk(value, '', false);
  return fields;
}

function field(
  holder: Record<string, unknown> | unknown[],
  key: string | number,
  path: string,
  text: string,
  whole: string | undefined,
): Field {
  return { path, text, holder, key, encoding: 'text', ...(whole === undefined ? {} : { whole }) };
}

/** Findings in field coordinates: one list per field. */
export type FieldFindings = Finding[][];

/**
 * Splits findings on the joined text (fields concatenated in order) into per-field findings; a finding
 * across a boundary becomes one finding in each field it touches.
 */
export function splitJoined(fields: readonly Field[], joined: readonly Finding[], into: FieldFindings): void {
  const starts: number[] = [];
  let at = 0;
  for (const f of fields) {
    starts.push(at);
    at += f.text.length;
  }
  for (const finding of joined) {
    for (let i = 0; i < fields.length; i++) {
      const from = starts[i] ?? 0;
      const to = from + (fields[i]?.text.length ?? 0);
      if (finding.end <= from || finding.start >= to) continue;
      into[i]?.push({
        rule: finding.rule,
        start: Math.max(finding.start, from) - from,
        end: Math.min(finding.end, to) - from,
      });
    }
  }
}

/** Replaces each (merged) finding in `text` with `[REDACTED:<rule>]`; returns the text and the rules. */
export function applyFindings(text: string, findings: readonly Finding[]): { text: string; rules: string[] } {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const rules: string[] = [];
  let out = '';
  let from = 0;
  for (const f of sorted) {
    if (f.end <= from) continue;
    if (f.start < from) {
      // Overlaps the previous one: one marker covers both.
      from = f.end;
      continue;
    }
    out += `${text.slice(from, f.start)}[REDACTED:${f.rule}]`;
    rules.push(f.rule);
    from = f.end;
  }
  return { text: out + text.slice(from), rules };
}
