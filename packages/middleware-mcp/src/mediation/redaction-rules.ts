/**
 * The generic secret rules that back the maintained rule set: each states a principle about where a
 * secret sits (an armour block, a value assigned to a credential-named key, URL userinfo, an
 * Authorization header, a Kubernetes Secret's data, a signed token) rather than what one vendor's
 * token looks like. Every pattern is anchored by a look-behind or a fixed prefix and uses bounded,
 * dot-free classes, so each runs in linear time on hostile text.
 */
import { isPlaceholder, isSampleJwt, looksGenerated } from '@governed-mcp/core';

/** A secret found in a text: the rule that found it and its UTF-16 range. */
export interface Finding {
  readonly rule: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A key that names a credential: its last word is one (`DB_PASSWORD`, `apiKey`, `AccountKey`,
 * `SECRET_KEY_BASE`, `sig`), so `secret_name`, `token_type` and `password_policy` are not.
 */
export const CREDENTIAL_LABEL =
  /^[A-Za-z0-9_.-]*?(?:secret|token|password|passwd|pwd|pass|creds?|credentials?|auth|(?:api|access|account|private|secret|master|signing|encryption|client|app|session)[-_]?key|key[-_]?base|sig|signature)$/i;

const ASSIGNED =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,80}?(?:secret|token|password|passwd|pwd|pass|creds?|credentials?|auth|(?:api|access|account|private|secret|master|signing|encryption|client|app|session)[-_]?key|key[-_]?base|sig|signature))["']?[ \t]{0,8}(?:=>|:=|=|:)[ \t]{0,8}(?:"([^"\r\n]{1,2000})"|'([^'\r\n]{1,2000})'|([^\s"'`,;&<>(){}[\]]{1,2000}))/gi;
const URL_USERINFO =
  /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/([^\s:/@?#]{0,200}):([^\s@/?#]{1,200})@/g;
const AUTHORIZATION = /(?<![A-Za-z])(Basic|Bearer|Token)[ \t]{1,8}([A-Za-z0-9._~+/-]{8,8000}=*)/g;
const ARMOUR_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{16,4000}/g;
const K8S_SECRET = /^[ \t]*["']?kind["']?[ \t]*:[ \t]*["']?Secret["']?[ \t]*,?[ \t]*$/m;

function decode64(s: string): string {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

/** Private material in armour (PEM, OpenSSH, PGP), of any kind: the whole block, or to the end. */
function armour(text: string, out: Finding[]): void {
  if (!text.includes('PRIVATE KEY')) return;
  ARMOUR_BEGIN.lastIndex = 0;
  for (let m = ARMOUR_BEGIN.exec(text); m !== null; m = ARMOUR_BEGIN.exec(text)) {
    const endAt = text.indexOf('-----END ', m.index + m[0].length);
    const close = endAt < 0 ? -1 : text.indexOf('-----', endAt + 9);
    const stop = close < 0 ? text.length : close + 5;
    out.push({ rule: 'private-key-block', start: m.index, end: stop });
    ARMOUR_BEGIN.lastIndex = stop;
  }
}

/** A generated-looking value assigned to a credential-named key (env, YAML, JSON, TOML, INI, query). */
function assigned(text: string, out: Finding[]): void {
  ASSIGNED.lastIndex = 0;
  for (let m = ASSIGNED.exec(text); m !== null; m = ASSIGNED.exec(text)) {
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (/^eyJ[A-Za-z0-9_-]{0,8000}\.eyJ/.test(value) && isSampleJwt(value)) continue;
    if (!looksGenerated(value, m[1])) continue;
    const end = m.index + m[0].length - (m[4] === undefined ? 1 : 0);
    out.push({ rule: 'assigned-secret', start: end - value.length, end });
  }
}

/** The password of `scheme://user:password@host`, unless it is a stand-in (or the user name again). */
function userinfo(text: string, out: Finding[]): void {
  if (!text.includes('://')) return;
  URL_USERINFO.lastIndex = 0;
  for (let m = URL_USERINFO.exec(text); m !== null; m = URL_USERINFO.exec(text)) {
    const pw = m[2] ?? '';
    if (isPlaceholder(pw, m[1])) continue;
    const end = m.index + m[0].length - 1;
    out.push({ rule: 'url-password', start: end - pw.length, end });
  }
}

/** Credentials of an `Authorization` scheme: Basic `user:password`, or a generated bearer token. */
function authorization(text: string, out: Finding[]): void {
  AUTHORIZATION.lastIndex = 0;
  for (let m = AUTHORIZATION.exec(text); m !== null; m = AUTHORIZATION.exec(text)) {
    const value = m[2] ?? '';
    let secret: boolean;
    if (m[1] === 'Basic') {
      const plain = decode64(value);
      const colon = plain.indexOf(':');
      secret = colon >= 0 && !isPlaceholder(plain.slice(colon + 1), plain.slice(0, colon));
    } else secret = /^eyJ/.test(value) ? !isSampleJwt(value) : looksGenerated(value);
    if (secret)
      out.push({
        rule: 'authorization',
        start: m.index + m[0].length - value.length,
        end: m.index + m[0].length,
      });
  }
}

/** A signed token (JWT) that is not a published sample. */
function jwt(text: string, out: Finding[]): void {
  if (!text.includes('eyJ')) return;
  JWT.lastIndex = 0;
  for (let m = JWT.exec(text); m !== null; m = JWT.exec(text)) {
    if (!isSampleJwt(m[0])) out.push({ rule: 'jwt', start: m.index, end: m.index + m[0].length });
  }
}

/** Every value under `data:`/`stringData:` of a document that declares itself `kind: Secret`. */
function kubernetesSecret(text: string, out: Finding[]): void {
  if (!K8S_SECRET.test(text)) return;
  const lines = text.split('\n');
  let offset = 0;
  let blockIndent = -1;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0 && line.trim() !== '' && indent <= blockIndent) blockIndent = -1;
    const entry =
      blockIndent >= 0 ? /^[ \t]+["']?[^\s:"']+["']?[ \t]*:[ \t]*["']?([^\s"',]+)/.exec(line) : null;
    if (entry?.[1] !== undefined) {
      const at = offset + line.lastIndexOf(entry[1]);
      out.push({ rule: 'kubernetes-secret', start: at, end: at + entry[1].length });
    }
    if (/^[ \t]*["']?(?:data|stringData)["']?[ \t]*:[ \t]*\{?[ \t]*$/.test(line)) blockIndent = indent;
    offset += line.length + 1;
  }
}

/** Runs every generic rule over `text`. */
export function genericFindings(text: string): Finding[] {
  const out: Finding[] = [];
  armour(text, out);
  assigned(text, out);
  userinfo(text, out);
  authorization(text, out);
  jwt(text, out);
  kubernetesSecret(text, out);
  return out;
}
