/**
 * A scanner for poisoned tool definitions: text a server hides in a tool's name, description or schema
 * to steer the agent (hidden instructions, invisible characters, requests to read secrets or to smuggle
 * data out through extra parameters). Text is normalised with the pre-filter's `normalize` (invisible
 * and bidi controls stripped, tag-smuggled text decoded and scanned too, NFKC, Latin lookalikes
 * folded). Every pattern is bounded (no nested quantifiers, fixed gaps), and the text scanned per
 * definition is capped, so a hostile definition cannot make it slow.
 */

import { normalize } from '@governed-mcp/core';
import { isDirective, type Signal, signalsOf } from './poisoning-signals.js';

/** What a finding is about. */
export type PoisonKind =
  | 'invisible-characters'
  | 'disguised-text'
  | 'hidden-instructions'
  | 'secret-access'
  | 'extra-parameters'
  /** Text that addresses the agent with obligations about other actions (scored signals, any language). */
  | 'agent-directives'
  | 'oversized'
  /** The probe judged the definition to carry instructions (`probe_definition`), or could not answer. */
  | 'probe-definition'
  | 'probe-failed';

/** One suspicious spot in a tool definition. */
export interface PoisonFinding {
  readonly kind: PoisonKind;
  /** Where: `description`, `inputSchema.properties.path.description`, … */
  readonly path: string;
  /** A short excerpt of the normalized text (or the code points found), for a reviewer. */
  readonly excerpt: string;
}

/** Most text scanned per definition, in UTF-16 code units; more is itself a finding. */
export const MAX_SCANNED_CHARS = 256 * 1024;

// Zero-width and joiner characters, bidi controls, invisible separators, BOM, soft hyphen, Hangul fillers,
// variation selectors (not U+FE0F, used by emoji), tag characters, C0/C1 controls other than \t \n \r.
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0E\uFEFF\uFFA0\uFFF0-\uFFFB\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;

const HIDDEN_INSTRUCTIONS: readonly RegExp[] = [
  /<\s*\/?\s*(important|system|instructions?|secret|hidden|admin|assistant|context)\b/,
  /<!--/,
  /\[\s*\/?\s*(inst|system|sys)\s*\]/,
  /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier|other|original)\s+(instructions|rules|directions|prompts?|guidelines)/,
  /\b(do\s+not|don't|never)\s+(tell|mention|inform|reveal|notify|show|alert)\b[^.]{0,40}\buser\b/,
  /\bwithout\s+(telling|informing|notifying|alerting)\s+the\s+user\b/,
  /\bbefore\s+(using|calling|invoking|running)\s+(this|any)\s+tool\b[^.]{0,80}\b(read|call|fetch|send|include|pass|open)\b/,
  /\byou\s+(must|should|have\s+to)\s+(always\s+)?(first\s+)?(read|call|send|include|pass|fetch|open|forward)\b/,
  /\bwhen\s+this\s+tool\s+is\s+(available|present|loaded)\b/,
  /\b(all|every|any)\s+(emails?|messages?|requests?|calls?)\s+(must|should)\s+(also\s+)?(be\s+)?(sent|forwarded|cc'?d|bcc'?d|copied)\s+to\b/,
];

const SECRET_ACCESS: readonly RegExp[] = [
  /(^|[^a-z0-9])\.ssh\b|\bid_(rsa|dsa|ecdsa|ed25519)\b/,
  /\.aws\/credentials|\/etc\/(passwd|shadow)|\.npmrc\b|\.netrc\b|\.git-credentials|\.pgpass\b|\.kube\/config|\.docker\/config\.json/,
  /(^|[\s'"`/~])\.env\b/,
  /\bmcp\.json\b|claude_desktop_config|\.cursor\/|\bkeychain\b/,
  /\b(read|open|cat|send|include|upload|exfiltrate|leak|copy|collect|extract)\b[^.]{0,60}\b(secrets?|credentials?|api[\s_-]?keys?|private\s+keys?|passwords?|access\s+tokens?|ssh\s+keys?|session\s+tokens?)\b/,
];

const EXTRA_PARAMETERS: readonly RegExp[] = [
  /\b(pass|include|add|send|put|append|insert|provide)\b[^.]{0,60}\b(contents?|conversation|chat\s+history|previous\s+messages|system\s+prompt|secrets?|credentials?|api\s+keys?|tokens?|environment\s+variables?|passwords?)\b[^.]{0,40}\b(parameter|argument|field|param)\b/,
  /\b(as|in|into)\s+(the\s+)?[`'"]?(sidenote|side_note|notes?|metadata|extra|debug|context)[`'"]?\s+(parameter|argument|field|param)\b/,
];

function flatten(text: string): string {
  return text.replace(INVISIBLE, '').toLowerCase().replace(/\s+/g, ' ');
}

function excerptOf(text: string, re: RegExp): string {
  const m = re.exec(text);
  const at = m?.index ?? 0;
  return text.slice(Math.max(0, at - 20), at + 60);
}

const GROUPS: readonly (readonly [PoisonKind, readonly RegExp[]])[] = [
  ['hidden-instructions', HIDDEN_INSTRUCTIONS],
  ['secret-access', SECRET_ACCESS],
  ['extra-parameters', EXTRA_PARAMETERS],
];

function scanText(text: string, path: string, out: PoisonFinding[]): void {
  const hiddenChars = text.match(INVISIBLE);
  if (hiddenChars !== null) {
    const points = [...new Set(hiddenChars)]
      .slice(0, 8)
      .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    out.push({ kind: 'invisible-characters', path, excerpt: points.join(' ') });
  }
  const n = normalize(text);
  if (n.disguises.includes('homoglyph')) {
    out.push({ kind: 'disguised-text', path, excerpt: 'letters from other scripts disguised as Latin ones' });
  }
  // Text smuggled in tag characters is scanned as if it were visible: a model may well read it.
  const views = n.hidden === undefined ? [flatten(n.text)] : [flatten(n.text), flatten(n.hidden)];
  const before = out.length;
  for (const [kind, patterns] of GROUPS) {
    for (const view of views) {
      const hit = patterns.find((re) => re.test(view));
      if (hit !== undefined) {
        out.push({ kind, path, excerpt: excerptOf(view, hit) });
        break;
      }
    }
  }
  // The scored signals catch what the patterns miss (paraphrases, other languages); one finding a text.
  if (out.slice(before).some((f) => f.kind !== 'disguised-text')) return;
  const raws = n.hidden === undefined ? [n.text] : [n.text, n.hidden];
  for (let i = 0; i < raws.length; i++) {
    const signals: Set<Signal> = signalsOf(raws[i]!, views[i]!);
    if (isDirective(signals)) {
      out.push({ kind: 'agent-directives', path, excerpt: [...signals].sort().join(', ') });
      break;
    }
  }
}

/**
 * Scans one model-visible text the server sends besides tools (`initialize` instructions, a resource,
 * template or prompt description) with the same rules as a tool definition's strings.
 */
export function scanServerText(text: string, path = 'text'): PoisonFinding[] {
  const out: PoisonFinding[] = [];
  if (text.length > MAX_SCANNED_CHARS) {
    out.push({ kind: 'oversized', path, excerpt: `more than ${MAX_SCANNED_CHARS} characters of text` });
    return out;
  }
  scanText(text, path, out);
  return out;
}

/**
 * Scans one tool result's text for instructions addressed to the agent only: hidden-instruction
 * patterns and the scored signals, both always (unlike a definition's scan, a secret path named in a
 * result is data and does not end the scan). Tag-smuggled text is read as if visible.
 */
export function scanResultText(text: string, path = 'text'): PoisonFinding[] {
  const out: PoisonFinding[] = [];
  if (text.length > MAX_SCANNED_CHARS) {
    out.push({ kind: 'oversized', path, excerpt: `more than ${MAX_SCANNED_CHARS} characters of text` });
    return out;
  }
  const n = normalize(text);
  const raws = n.hidden === undefined ? [n.text] : [n.text, n.hidden];
  for (const raw of raws) {
    const view = flatten(raw);
    const hit = HIDDEN_INSTRUCTIONS.find((re) => re.test(view));
    if (hit !== undefined) {
      out.push({ kind: 'hidden-instructions', path, excerpt: excerptOf(view, hit) });
      break;
    }
  }
  for (const raw of raws) {
    const signals: Set<Signal> = signalsOf(raw, flatten(raw));
    if (isDirective(signals)) {
      out.push({ kind: 'agent-directives', path, excerpt: [...signals].sort().join(', ') });
      break;
    }
  }
  return out;
}

/**
 * Scans every string of a tool definition — name, title, description, schemas (keys and values) and
 * annotations — and returns what looks like poisoning. An empty list means nothing was found.
 */
export function scanToolDefinition(definition: Readonly<Record<string, unknown>>): PoisonFinding[] {
  const findings: PoisonFinding[] = [];
  let budget = MAX_SCANNED_CHARS;
  const stack: [unknown, string][] = [];
  for (const field of ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations']) {
    if (definition[field] !== undefined) stack.push([definition[field], field]);
  }
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      budget -= value.length;
      if (budget < 0) {
        findings.push({
          kind: 'oversized',
          path,
          excerpt: `more than ${MAX_SCANNED_CHARS} characters of text`,
        });
        break;
      }
      scanText(value, path, findings);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        budget -= k.length;
        scanText(k, `${path}{key}`, findings);
        stack.push([v, `${path}.${k}`]);
      }
    }
  }
  return findings;
}
