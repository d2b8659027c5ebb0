/**
 * The response path's secret detector: credentials and keys in results are replaced with
 * `[REDACTED:<kind>]` before the agent sees them. Patterns are anchored on fixed prefixes with bounded,
 * dot-free character classes, so each runs in linear time on hostile text.
 */

/** What the response path does with secrets in a result. */
export type RedactionMode = 'redact' | 'block' | 'off';

/** A secret detector: a name (used in the marker and the audit) and a global pattern. */
export interface SecretPattern {
  readonly kind: string;
  readonly pattern: RegExp;
  /** Index of the capture group that holds the secret; 0 (the whole match) by default. */
  readonly group?: number;
}

/** The built-in detectors. */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  {
    kind: 'aws-secret-access-key',
    pattern: /\baws_secret_access_key["']?\s{0,5}[=:]\s{0,5}["']?([A-Za-z0-9/+=]{40})/gi,
    group: 1,
  },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,200}/g },
  { kind: 'llm-api-key', pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,300}/g },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'stripe-key', pattern: /\b[rs]k_(?:live|test)_[0-9a-zA-Z]{16,200}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}/g },
  { kind: 'bearer-token', pattern: /\bBearer\s{1,5}([A-Za-z0-9._~+/-]{20,2000}=*)/g, group: 1 },
  {
    kind: 'credential-assignment',
    pattern:
      /\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)["']?\s{0,5}[:=]\s{0,5}["']?([^\s"'`,;]{6,500})/gi,
    group: 1,
  },
  {
    kind: 'url-password',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,200}:([^\s@/]{1,200})@/gi,
    group: 1,
  },
];

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const KEY_END = '-----END ';

/** The outcome of redacting one value: the (copied) value and what was found, by kind. */
export interface Redacted<T> {
  readonly value: T;
  readonly count: number;
  readonly kinds: readonly string[];
}

function redactPrivateKeys(text: string, found: string[]): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  KEY_BEGIN.lastIndex = 0;
  let out = '';
  let from = 0;
  for (let m = KEY_BEGIN.exec(text); m !== null; m = KEY_BEGIN.exec(text)) {
    if (m.index < from) continue;
    const endAt = text.indexOf(KEY_END, m.index + m[0].length);
    const close = endAt < 0 ? -1 : text.indexOf('-----', endAt + KEY_END.length);
    const stop = close < 0 ? text.length : close + 5;
    out += `${text.slice(from, m.index)}[REDACTED:private-key]`;
    found.push('private-key');
    from = stop;
    KEY_BEGIN.lastIndex = stop;
  }
  return out + text.slice(from);
}

/** Redacts the secrets in one string; appends the kinds found to `found`. */
export function redactText(
  text: string,
  found: string[],
  patterns: readonly SecretPattern[] = SECRET_PATTERNS,
): string {
  let out = redactPrivateKeys(text, found);
  for (const { kind, pattern, group = 0 } of patterns) {
    pattern.lastIndex = 0;
    if (!pattern.test(out)) continue;
    pattern.lastIndex = 0;
    out = out.replace(pattern, (...m: unknown[]) => {
      found.push(kind);
      const whole = m[0] as string;
      const secret = m[group] as string | undefined;
      if (group === 0 || secret === undefined) return `[REDACTED:${kind}]`;
      const at = whole.lastIndexOf(secret);
      return `${whole.slice(0, at)}[REDACTED:${kind}]${whole.slice(at + secret.length)}`;
    });
  }
  return out;
}

// Binary payloads (base64) are not text: a random match there is noise, and rewriting breaks the blob.
function isBinaryField(parent: Record<string, unknown>, key: string): boolean {
  return (key === 'data' && (parent.type === 'image' || parent.type === 'audio')) || key === 'blob';
}

/**
 * Redacts every string in a JSON value (a tool result, resource contents, prompt messages), returning a
 * copy. The input is plain JSON already checked by the frame inspector.
 */
export function redactValue<T>(value: T, patterns: readonly SecretPattern[] = SECRET_PATTERNS): Redacted<T> {
  const found: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, found, patterns);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(src)) {
        const next = isBinaryField(src, key) ? src[key] : walk(src[key]);
        if (key === '__proto__')
          Object.defineProperty(out, key, { value: next, enumerable: true, writable: true });
        else out[key] = next;
      }
      return out;
    }
    return v;
  };
  const copy = walk(value) as T;
  return { value: found.length === 0 ? value : copy, count: found.length, kinds: [...new Set(found)] };
}
