/**
 * What is not a secret even when it sits where a secret would. Principles, not a list of values:
 * a value that declares itself an example, a template reference, a value that repeats its own label,
 * a run or a repeated character, and a value too uniform to have been generated. The pre-filter (on
 * arguments) and the redactor (on results) both ask this module, so they agree on what a stand-in is.
 */

/**
 * Why a value is a stand-in. `inert`: no secret can be turned into it (a generic noun, a mask, a run,
 * nothing at all), so it is never a secret. `declared`: the value says it is one (an example word, a
 * reference such as `${VAR}`, the label repeated) — a real secret can be wrapped in such a
 * declaration, so where the text leaves the machine the declaration alone does not clear it.
 */
export type StandIn = 'inert' | 'declared';

// Words that say "this is a stand-in": a value containing one declares itself an example.
const SELF_DECLARED =
  /example|sample|dummy|placeholder|redacted|changeme|change[-_]me|fake|your[-_ ]|my[-_ ]/i;

// Template and variable references: `${VAR}`, `{{ x }}`, `<your key>`, `$VAR`, `%VAR%`, `[REDACTED:…]`.
const REFERENCE =
  /^(?:<[^>]*>|\$\{.*\}|\$\(.*\)|\{\{.*\}\}|\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|\[REDACTED:[^\]]*\])$/;

// Values that a label names rather than holds: the generic nouns themselves.
const GENERIC_NOUN =
  /^(?:pass(?:word|wd)?|pwd|secret|token|key|api[-_]?key|none|null|nil|undefined|true|false|empty|string|test|todo|tbd)$/i;

/** Shannon entropy of `s`, in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// A run: each character one after the previous (`1234567890`, `abcdef`), digits wrapping at 9.
function isRun(s: string): boolean {
  if (s.length < 6) return false;
  for (let i = 1; i < s.length; i++) {
    const a = s.charCodeAt(i - 1);
    const b = s.charCodeAt(i);
    if (b !== a + 1 && !(a === 57 && b === 48)) return false;
  }
  return true;
}

/** How many of the classes lower, upper, digit, other `s` draws from. */
function classes(s: string): number {
  return (
    Number(/[a-z]/.test(s)) +
    Number(/[A-Z]/.test(s)) +
    Number(/[0-9]/.test(s)) +
    Number(/[^A-Za-z0-9]/.test(s))
  );
}

/**
 * Whether `value` (found where a secret would sit, under `label`) is a stand-in, and of which kind
 * (see `StandIn`); `undefined` when it may be a real secret.
 * @example
 * standInOf('password') // 'inert'
 * standInOf('AKIAIOSFODNN7EXAMPLE') // 'declared'
 * standInOf('Xk29fj3!pq') // undefined
 */
export function standInOf(value: string, label?: string): StandIn | undefined {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v.length === 0 || GENERIC_NOUN.test(v)) return 'inert';
  if (/^(.)\1*$/.test(v) || /^[x*•.\-_]+$/i.test(v) || isRun(v)) return 'inert';
  if (SELF_DECLARED.test(v) || REFERENCE.test(v)) return 'declared';
  if (label !== undefined && v.toLowerCase() === label.toLowerCase()) return 'declared';
  return undefined;
}

/**
 * True when `value` is a stand-in rather than a credential: self-declared examples, references to a
 * variable, generic nouns, the label repeated (`postgres:postgres`), runs and single repeated characters.
 */
export function isPlaceholder(value: string, label?: string): boolean {
  return standInOf(value, label) !== undefined;
}

/**
 * True when `value`, found where a secret is assigned, looks generated rather than written: at least
 * eight characters, two character classes, and 3 bits of entropy per character — so `password: hunter2`,
 * `token: string` and `secret: process.env.X` stay, while keys, tokens and random passwords go.
 */
export function looksGenerated(value: string, label?: string): boolean {
  if (isPlaceholder(value, label)) return false;
  if (value.length < 8 || classes(value) < 2) return false;
  // A dotted path or a call is code that reads a secret, not the secret.
  if (/^[A-Za-z_$][\w$]*(?:\.[\w$]+)+$/.test(value) || /[()]/.test(value)) return false;
  return entropy(value) >= 3;
}

/** The text of a base64url segment (standard alphabet accepted too), or undefined when it is not one. */
function decodeSegment(segment: string): string | undefined {
  if (!/^[A-Za-z0-9_+/-]*={0,2}$/.test(segment)) return undefined;
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  try {
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * A published sample token (the jwt.io one): its subject, name or e-mail claim is an `inert`
 * stand-in (`1234567890`, `test`). A word that only declares an example is not enough: real
 * accounts live at `my-company.com` or `example.org`. A JWT that does not decode is not a sample.
 * Claims are signed, so a real token cannot be dressed as a sample without ceasing to be valid.
 */
export function isSampleJwt(token: string): boolean {
  const payload = token.split('.')[1];
  const json = payload === undefined ? undefined : decodeSegment(payload);
  if (json === undefined) return false;
  try {
    const claims = JSON.parse(json) as Record<string, unknown>;
    if (typeof claims !== 'object' || claims === null) return false;
    return ['sub', 'name', 'email', 'preferred_username'].some((k) => {
      const v = claims[k];
      return (typeof v === 'string' || typeof v === 'number') && standInOf(String(v)) === 'inert';
    });
  } catch {
    return false;
  }
}
