/**
 * What is not a secret even when it sits where a secret would. Principles, not a list of values:
 * a value that declares itself an example, a template reference, a value that repeats its own label,
 * a run or a repeated character, and a value too uniform to have been generated.
 */

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
 * True when `value` is a stand-in rather than a credential: self-declared examples, references to a
 * variable, generic nouns, the label repeated (`postgres:postgres`), runs and single repeated characters.
 */
export function isPlaceholder(value: string, label?: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (v.length === 0) return true;
  if (SELF_DECLARED.test(v) || REFERENCE.test(v) || GENERIC_NOUN.test(v)) return true;
  if (/^(.)\1*$/.test(v) || /^[x*•.\-_]+$/i.test(v)) return true;
  if (label !== undefined && v.toLowerCase() === label.toLowerCase()) return true;
  return isRun(v);
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
