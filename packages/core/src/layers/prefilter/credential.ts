import { isSampleJwt, type StandIn, standInOf } from '../../secrets/placeholder.js';
import {
  ALL_ROLES,
  type CallFacts,
  type Detector,
  type Finding,
  finding,
  literalTrie,
  matchSet,
  type Pattern,
  patternSet,
  type ScanText,
} from './detector.js';
import { TextFlag } from './text-profile.js';
import { WordGate, wordGates } from './word-gates.js';

const SECRETS: readonly Pattern[] = [
  {
    code: 'private_key',
    re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/,
    caseSensitive: true,
  },
  { code: 'aws_access_key', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, caseSensitive: true },
  { code: 'aws_secret_key', re: /aws_secret_access_key\s*[=:]\s*["']?[a-z0-9/+=]{40}\b/ },
  {
    code: 'github_token',
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/,
    caseSensitive: true,
  },
  { code: 'gitlab_token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/, caseSensitive: true },
  { code: 'slack_token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, caseSensitive: true },
  { code: 'stripe_key', re: /\b[sr]k_live_[0-9a-zA-Z]{24,}\b/, caseSensitive: true },
  { code: 'google_api_key', re: /\bAIza[0-9A-Za-z_-]{35}\b/, caseSensitive: true },
  {
    code: 'ai_api_key',
    re: /\bsk-(?:proj-|ant-(?:api\d\d-)?|or-v1-)?[A-Za-z0-9_-]{32,}\b/,
    caseSensitive: true,
  },
  {
    code: 'package_token',
    re: /\b(?:npm_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_-]{50,}|hf_[A-Za-z0-9]{34,})\b/,
    caseSensitive: true,
  },
  { code: 'sendgrid_key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, caseSensitive: true },
  {
    code: 'jwt',
    re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
    caseSensitive: true,
  },
  { code: 'bearer_token', re: /\bauthorization\s*:\s*(?:bearer|token|basic)\s+[a-z0-9._~+/=-]{20,}/ },
  { code: 'url_credentials', re: /:\/\/[^/\s:@]{1,64}:[^/\s@]{6,128}@[^\s/]{1,255}/ },
];

const SECRET_SET = patternSet(SECRETS);
const CASE_SENSITIVE = new Set(SECRETS.filter((p) => p.caseSensitive === true).map((p) => p.code));
// The fixed prefix that names a vendor's token: what follows it is the part that must be secret.
const VENDOR_PREFIX =
  /^(?:AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|[sr]k_live_|AIza|sk-(?:proj-|ant-(?:api\d\d-)?|or-v1-)?|npm_|pypi-|hf_|SG\.)/;

const COOKIE_EXFIL =
  /\b(?:fetch|sendbeacon|xmlhttprequest|new\s+image|open)\b[^\n]{0,300}document\.cookie|document\.cookie[^\n]{0,300}\b(?:fetch|sendbeacon|xmlhttprequest|\.src\s*=)/;

const ASSIGNED_TRIGGER = literalTrie([
  ...['passw', 'pwd', 'secret', 'apikey', 'api_key', 'api-key', 'accesstoken', 'access_token'],
  ...['access-token', 'authtoken', 'auth_token', 'auth-token', 'privatekey', 'private_key', 'private-key'],
]);

// For ASCII text, where `t.lower` and `t.text` agree character for character on what is a word
// character, the word gate (`client` for client_secret) is cheaper; other text uses the trigger.
const ASSIGNED =
  /\b(password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)["']?\s*[=:]\s*["']?([^\s"'`,;]{12,200})/gi;

/** A value that looks generated (letters and digits, no code syntax), not `getenv("X")` or `<your key>`. */
function looksGenerated(v: string): boolean {
  return /[0-9]/.test(v) && /[A-Za-z]/.test(v) && !/[(){}<>$[\]]/.test(v);
}

/** Whether the secret a pattern matched is a stand-in (see `StandIn`), judged on the part that is secret. */
function standInOfMatch(code: string, matched: string): StandIn | undefined {
  switch (code) {
    case 'private_key':
      return undefined;
    case 'jwt':
      return isSampleJwt(matched) ? 'inert' : undefined;
    case 'url_credentials': {
      // As a URL parser reads it: the authority ends at `?` or `#`, and the password runs to its
      // last `@` (`user:password@x:REAL@evil` sends `password@x:REAL`).
      const m = /^:\/\/([^:]*):(.*)@/.exec(matched.split(/[?#]/)[0] as string);
      return m === null ? undefined : standInOf(m[2] as string, m[1] as string);
    }
    case 'aws_secret_key':
      return standInOf(matched.slice(-40));
    case 'bearer_token':
      return standInOf(matched.replace(/^[^:]*:\s*\S+\s+/, ''));
    default:
      return standInOf(matched.replace(VENDOR_PREFIX, ''));
  }
}

function blank(t: ScanText, start: number, end: number): ScanText {
  const cut = (x: string): string => x.slice(0, start) + ' '.repeat(end - start) + x.slice(end);
  return { ...t, text: cut(t.text), lower: cut(t.lower) };
}

/**
 * What one stand-in decides: an `inert` one is skipped; a `declared` one blocks where the text leaves
 * the machine (a real secret can wear the declaration) and is only recorded where it does not.
 */
function judge(kind: StandIn | undefined, call: CallFacts): 'secret' | 'record' | 'skip' {
  if (kind === undefined) return 'secret';
  if (kind === 'inert') return 'skip';
  return call.outward ? 'secret' : 'record';
}

const MAX_STAND_INS = 32;

/**
 * `credential`: secret material (cloud keys, tokens, private keys, passwords in URLs or assignments).
 * Any tool may pass what it receives on, and a tool's openWorldHint comes from its server, so a hint
 * never clears a real secret: an operator who trusts a tool with secrets says so in its settings
 * (`prefilterBlock` of a tool rule). Findings for a tool that claims a closed world get a
 * `_closed_world` code suffix. Stand-ins (`standInOf`: documented examples, references, generic
 * words, a sample JWT) are not secrets: an inert one is skipped everywhere; one that only declares
 * itself an example is recorded (`_example`, record-only) for a closed-world tool and blocks otherwise.
 */
export const credentialDetector: Detector = {
  id: 'credential',
  roles: ALL_ROLES,
  scan(t, call, out) {
    const code = (c: string): string => (call.outward ? c : `${c}_closed_world`);
    let recorded: Finding | undefined;
    const record = (c: string, index: number, length: number): void => {
      recorded ??= finding('credential', `${code(c)}_example`, t, index, length, { recordOnly: true });
    };
    // Every token pattern needs a run of 16+ token characters, a PEM header or URL credentials.
    const possible =
      (t.flags & TextFlag.TokenRun) !== 0 ||
      t.lower.includes('-----begin') ||
      (t.lower.includes('@') && t.lower.includes('://'));
    let view = t;
    for (let round = 0; possible; round++) {
      const hit = matchSet(SECRET_SET, view);
      if (hit === undefined) break;
      const source =
        CASE_SENSITIVE.has(hit.code) || t.text.length === t.lower.length ? view.text : view.lower;
      const verdict =
        round >= MAX_STAND_INS
          ? 'secret' // More stand-ins than that: whatever matches next is reported (fail closed).
          : judge(standInOfMatch(hit.code, source.slice(hit.index, hit.index + hit.length)), call);
      if (verdict === 'secret') {
        out.push(finding('credential', code(hit.code), t, hit.index, hit.length));
        return;
      }
      if (verdict === 'record') record(hit.code, hit.index, hit.length);
      view = blank(view, hit.index, hit.index + hit.length);
    }
    // Browser session theft: the cookie jar handed to a request.
    if (t.lower.includes('document.cookie')) {
      const cookie = COOKIE_EXFIL.exec(t.lower);
      if (cookie !== null) {
        out.push(finding('credential', code('cookie_exfiltration'), t, cookie.index, cookie[0].length));
        return;
      }
    }
    if (assigned(t, call, out, code, record)) return;
    // One record per argument: the other views of the text are read, but need not say it again.
    if (recorded !== undefined && !out.some((f) => f.detector === 'credential' && f.path === t.path))
      out.push(recorded);
  },
};

/** A generated-looking value assigned to a credential-named key; true when it pushed a finding. */
function assigned(
  t: ScanText,
  call: CallFacts,
  out: Finding[],
  code: (c: string) => string,
  record: (c: string, index: number, length: number) => void,
): boolean {
  const ascii = (t.flags & TextFlag.NonPlain) === 0 && t.lower.length === t.text.length;
  if (ascii ? (wordGates(t.lower) & WordGate.Assigned) === 0 : !ASSIGNED_TRIGGER.test(t.lower)) return false;
  ASSIGNED.lastIndex = 0;
  let seen = 0;
  for (let m = ASSIGNED.exec(t.text); m !== null; m = ASSIGNED.exec(t.text)) {
    if (!looksGenerated(m[2] as string)) continue;
    // Past the bound every further assignment is reported as it is (fail closed).
    const kind = ++seen > MAX_STAND_INS ? undefined : standInOf(m[2] as string, m[1] as string);
    const verdict = judge(kind, call);
    if (verdict === 'secret') {
      out.push(finding('credential', code('assigned_secret'), t, m.index, m[0].length));
      return true;
    }
    if (verdict === 'record') record('assigned_secret', m.index, m[0].length);
  }
  return false;
}
