import {
  ACCOUNT,
  AMOUNT_AFTER,
  AMOUNT_BEFORE,
  ASSIGNED_SECRET,
  BARE_DOMAIN,
  EMAIL,
  IBAN,
  ONE_TIME_CODE,
  PHONE,
  TLD_DOT,
  UNIX_PATH,
  URL_WITH_SCHEME,
  VENDOR_SECRET,
  WINDOWS_PATH,
} from './value-patterns.js';
import {
  Collector,
  collectIdentifiers,
  eachAnchored,
  eachBareDomain,
  type FoundValue,
  localPartStart,
} from './value-scan.js';

export type { FoundValue };

/** Most values one call returns, by default. */
export const DEFAULT_VALUE_LIMIT = 256;
/** Longest prefix of one text that is scanned. */
export const MAX_SCANNED_CHARS = 64 * 1024;

const TRAILING = /[.,;:!?)\]}'"]+$/;
const PATHS = [UNIX_PATH, WINDOWS_PATH] as const;
// Sticky copies, tried only at the starts an anchor allows (see `eachAnchored`).
const EMAIL_AT = new RegExp(EMAIL.source, 'y');
const URL_AT = new RegExp(URL_WITH_SCHEME.source, 'iy');
const BARE_AT = new RegExp(BARE_DOMAIN.source, 'iy');

/** `www.` is dropped: `www.example.com` and `example.com` name the same site for provenance. */
function normalizeHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.startsWith('www.') ? h.slice(4) : h;
}

/**
 * A URL's normalized spelling: host lowercased without `www.`, no default port, no trailing slash, no
 * fragment, and no `http(s)://` (the scheme does not change where a value points). Undefined when it
 * does not parse.
 */
export function normalizeUrl(raw: string): { url: string; host: string } | undefined {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  const host = normalizeHost(parsed.hostname);
  if (host === '') return undefined;
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  const path = parsed.pathname.replace(/\/+$/, '');
  const scheme = parsed.protocol === 'http:' || parsed.protocol === 'https:' ? '' : `${parsed.protocol}//`;
  return { url: `${scheme}${host}${port}${path}${parsed.search}`, host };
}

/** Whether an IBAN's check digits hold (ISO 13616 mod-97), computed in chunks without big integers. */
export function ibanChecksumHolds(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 && code <= 90 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

/** An amount's normalized spelling: `1,200.50` → `1200.5`. */
export function normalizeAmount(whole: string, fraction: string | undefined): string {
  const n = Number(`${whole.replace(/,/g, '')}.${fraction ?? '0'}`);
  return Number.isFinite(n) ? String(n) : whole;
}

function trimmed(m: RegExpExecArray): { text: string; start: number; end: number } {
  const text = m[0].replace(TRAILING, '');
  return { text, start: m.index, end: m.index + text.length };
}

/**
 * The values a text carries: e-mail addresses, IBANs, account and card numbers, URLs and their hosts,
 * file paths, currency-marked amounts, phone numbers, identifiers and secrets, each normalized. Bounded:
 * at most `limit` values, and only the first 64 KiB of the text are read. Every pattern is linear.
 *
 * An IBAN whose check digits fail is kept as an `account` (a mistyped or invented IBAN still names an
 * account someone asked to pay). A URL yields a `url` and a `host`.
 *
 * @example findValues('Pay GB29 NWBK 6016 1331 9268 19') // [{ kind: 'iban', value: 'GB29NWBK60161331926819', … }]
 */
export function findValues(text: string, limit: number = DEFAULT_VALUE_LIMIT): FoundValue[] {
  if (typeof text !== 'string' || text.length === 0 || limit <= 0) return [];
  const t = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  const c = new Collector(limit);
  // A pattern whose required character the text lacks cannot match: skip its pass.
  const digit = /\d/.test(t);
  c.each(VENDOR_SECRET, t, (m) => c.add('secret', m[0], m.index, m.index + m[0].length));
  c.each(ASSIGNED_SECRET, t, (m) => {
    const v = (m[1] ?? '').replace(TRAILING, '');
    const start = m.index + m[0].length - (m[1] ?? '').length;
    if (v.length >= 6) c.add('secret', v, start, start + v.length);
  });
  if (digit)
    c.each(ONE_TIME_CODE, t, (m) => {
      const v = m[1] ?? '';
      const start = m.index + m[0].length - v.length;
      c.add('secret', v, start, start + v.length);
    });
  eachAnchored(
    c,
    EMAIL_AT,
    t,
    '@',
    (at) => localPartStart(t, at),
    (at) => localPartStart(t, at),
    (m) => {
      const { text: v, start, end } = trimmed(m);
      const domain = v.slice(v.indexOf('@') + 1);
      if (/\.[a-z]{2,}$/i.test(domain)) c.add('email', v.toLowerCase(), start, end);
    },
  );
  const addUrl = (m: RegExpExecArray): void => {
    const { text: v, start, end } = trimmed(m);
    const n = normalizeUrl(v);
    if (n === undefined) return;
    const before = c.found.length;
    c.add('url', n.url, start, end);
    if (c.found.length > before) c.add('host', n.host, start, end, true);
  };
  // The scheme (2–5 letters) ends right before `://`.
  eachAnchored(
    c,
    URL_AT,
    t,
    '://',
    (at) => at - 5,
    (at) => at - 2,
    addUrl,
  );
  eachBareDomain(c, BARE_AT, TLD_DOT, t, addUrl);
  if (digit)
    c.each(IBAN, t, (m) => {
      const v = m[0].replace(/ /g, '');
      if (v.length < 15 || v.length > 34) return;
      c.add(ibanChecksumHolds(v) ? 'iban' : 'account', v, m.index, m.index + m[0].length);
    });
  if (t.includes('+') || t.includes('('))
    c.each(PHONE, t, (m) => {
      const digits = m[0].replace(/\D/g, '');
      if (digits.length < 7 || digits.length > 15) return;
      c.add('phone', m[0].startsWith('+') ? `+${digits}` : digits, m.index, m.index + m[0].length);
    });
  for (const re of digit ? [AMOUNT_BEFORE, AMOUNT_AFTER] : []) {
    c.each(re, t, (m) => c.add('amount', normalizeAmount(m[1] ?? '', m[2]), m.index, m.index + m[0].length));
  }
  if (digit)
    c.each(ACCOUNT, t, (m) => c.add('account', m[0].replace(/\D/g, ''), m.index, m.index + m[0].length));
  for (const re of PATHS) {
    if (re === UNIX_PATH ? !t.includes('/') : !t.includes(':\\')) continue;
    c.each(re, t, (m) => {
      const { text: v, start, end } = trimmed(m);
      const path = v.length > 1 ? v.replace(/[/\\]+$/, '').replace(/\/{2,}/g, '/') : v;
      // A lone `/word` in prose (`and/or` is excluded by the pattern) needs a second segment or a `.`.
      if (/[/\\]/.test(path.slice(1)) || path.startsWith('~') || path.includes('.')) {
        c.add('path', path, start, end);
      }
    });
  }
  // An identifier needs a digit or an underscore.
  if (digit || t.includes('_')) collectIdentifiers(c, t);
  return c.found.sort((a, b) => a.start - b.start || a.end - b.end);
}
