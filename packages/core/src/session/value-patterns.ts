/**
 * The patterns `findValues` runs. Every one is linear on hostile text: quantifiers are bounded, a
 * lookbehind keeps a pattern from restarting inside a run it already rejected, and no group repeats
 * a sub-pattern that can match the same characters two ways.
 */

/** Tokens whose shape names a vendor's credential (the same families the pre-filter knows). */
export const VENDOR_SECRET =
  /\b(?:(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_-]{20,64}|xox[abposr]-[A-Za-z0-9-]{10,128}|[sr]k_live_[0-9a-zA-Z]{24,128}|AIza[0-9A-Za-z_-]{35}|sk-(?:proj-|ant-(?:api\d\d-)?|or-v1-)?[A-Za-z0-9_-]{32,256}|npm_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_-]{50,256}|hf_[A-Za-z0-9]{34,64}|eyJ[A-Za-z0-9_-]{10,2048}\.eyJ[A-Za-z0-9_-]{10,4096}\.[A-Za-z0-9_-]{10,2048})/g;

/** A value given for a password, secret, token or key: `password: hunter22`, `api_key=…`. */
export const ASSIGNED_SECRET =
  /\b(?:password|passwd|pwd|passphrase|secret|api[_ -]?key|access[_ -]?token|auth[_ -]?token|client[_ -]?secret|private[_ -]?key)(?:\s+is)?\s{0,4}[:=]?\s{0,4}["'`]?([^\s"'`,;<>]{6,200})/gi;

/** A one-time or security code: 4–8 digits right after `code`, `otp`, `pin`, `passcode` or `password`. */
export const ONE_TIME_CODE =
  /\b(?:code|otp|pin|passcode|password|token)\b(?:\s+is)?[\s:=#"'`-]{0,6}(\d{4,8})(?!\d|[.,]\d)/gi;

/** An e-mail address. */
export const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;

/** A URL with a scheme. */
export const URL_WITH_SCHEME = /\b(?:https?|ftp|wss?):\/\/[^\s<>"'`)\]}|\\^]{1,2048}/gi;

/** Top-level domains common enough that a bare `name.tld` is taken for a site, not a file name. */
const TLDS =
  'com|org|net|io|co|dev|app|ai|gov|edu|info|biz|me|xyz|site|online|top|us|uk|de|fr|eu|ru|cn|it|es|nl|ch|se|jp|br|au|ca|tv|ly|gg|cloud|tech|store|shop|blog|news|link|click|page|live|email|pro';

/** A bare domain, with an optional path: `www.example-site.com`, `example.org/path`. */
export const BARE_DOMAIN = new RegExp(
  `(?<![\\w@.\\-/:])(?:[a-z0-9-]{1,63}\\.){1,8}(?:${TLDS})(?![\\w-])(?:/[^\\s<>"'\`)\\]}|\\\\^]{0,2048})?`,
  'gi',
);

/** The dot before a top-level domain that ends a name: every `BARE_DOMAIN` match holds one. */
export const TLD_DOT = new RegExp(`\\.(?:${TLDS})(?![\\w-])`, 'gi');

/** An IBAN: country code, check digits, 11–30 letters and digits, optionally in groups of four. */
export const IBAN =
  /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;

/** An international phone number (`+1 555 123 4567`) or a North American one with an area code. */
export const PHONE =
  /(?<![\w+])\+\d(?:\d|[ .-](?=[\d(])|\((?=\d)|\)(?=[ .-]?\d)){6,20}(?!\d)|(?<!\w)\(\d{3}\) ?\d{3}[ .-]\d{4}(?!\d)/g;

/** A currency-marked amount, sign or code before: `$1,200.50`, `EUR 30`, `€30`. */
export const AMOUNT_BEFORE =
  /(?:[$€£¥]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|BTC|ETH)\b) ?(\d{1,3}(?:,\d{3}){1,5}|\d{1,15})(?:\.(\d{1,8}))?(?![\d,])/gi;

/** A currency-marked amount, code or word after: `1200 USD`, `30 euros`, `0.5 BTC`. */
export const AMOUNT_AFTER =
  /(?<![\d,.])(\d{1,3}(?:,\d{3}){1,5}|\d{1,15})(?:\.(\d{1,8}))? ?(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|BTC|ETH|dollars?|euros?|pounds?|[$€£¥])(?![A-Za-z])/gi;

/** An account or card number: eight or more digits, in groups split by spaces or hyphens. */
export const ACCOUNT = /(?<![\w.,+-])\d(?:[ -]?\d){7,30}(?![\w]|[.,]\d)/g;

/** A unix path (`/a/b`, `~/x`, `./x`, `../x`). */
export const UNIX_PATH = /(?<![\w/.~:\\-])(?:~|\.{1,2})?\/[\w.@%+=,-]{1,255}(?:\/[\w.@%+=,-]{0,255}){0,64}/g;

/** A Windows path (`C:\x`). */
export const WINDOWS_PATH = /(?<![\w])[A-Za-z]:\\[^\s\\:*?"<>|]{1,255}(?:\\[^\s\\:*?"<>|]{0,255}){0,64}/g;

/** A token of letters, digits, `_` and `-` (judged by `isIdentifier`). */
export const TOKEN = /(?<![\w-])[A-Za-z0-9][\w-]{2,62}[A-Za-z0-9](?![\w-])/g;

/** Letters mixed with digits or underscores (`guest_amy01`, `AB-1234`): not a plain word or number. */
export function isIdentifier(token: string): boolean {
  return /[A-Za-z]/.test(token) && /[0-9_]/.test(token);
}
