import {
  type Detector,
  type Finding,
  finding,
  literalTrie,
  matchSet,
  type Pattern,
  patternDetector,
  patternSet,
  type TextRole,
} from './detector.js';
import { TextFlag } from './text-profile.js';
import { WordGate, wordGates } from './word-gates.js';

// The sensitive-path detector asks core's path classifier (see sensitive-path.ts).
export { sensitivePathDetector } from './sensitive-path.js';

const ALL_ROLES: readonly TextRole[] = ['command', 'value', 'document', 'decoded'];
const NOT_DOCUMENTS: readonly TextRole[] = ['command', 'value', 'decoded'];

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
const COOKIE_EXFIL =
  /\b(?:fetch|sendbeacon|xmlhttprequest|new\s+image|open)\b[^\n]{0,300}document\.cookie|document\.cookie[^\n]{0,300}\b(?:fetch|sendbeacon|xmlhttprequest|\.src\s*=)/;

const ASSIGNED_TRIGGER = literalTrie([
  ...['passw', 'pwd', 'secret', 'apikey', 'api_key', 'api-key', 'accesstoken', 'access_token'],
  ...['access-token', 'authtoken', 'auth_token', 'auth-token', 'privatekey', 'private_key', 'private-key'],
]);

// For ASCII text, where `t.lower` and `t.text` agree character for character on what is a word
// character, the word gate (`client` for client_secret) is cheaper; other text uses the trigger.
const ASSIGNED =
  /\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)["']?\s*[=:]\s*["']?([^\s"'`,;]{12,200})/i;

/** A value that looks generated (letters and digits, no code syntax), not `getenv("X")` or `<your key>`. */
function looksGenerated(v: string): boolean {
  return (
    /[0-9]/.test(v) &&
    /[A-Za-z]/.test(v) &&
    !/[(){}<>$[\]]/.test(v) &&
    !/^(?:x+|\*+|changeme.*|example.*|your.*)$/i.test(v)
  );
}

/**
 * `credential`: secret material (cloud keys, tokens, private keys, passwords in URLs or assignments).
 * Any tool may pass what it receives on, and a tool's openWorldHint comes from its server, so a hint
 * never relaxes this detector: an operator who trusts a tool with secrets says so in its settings
 * (`prefilterBlock` of a tool rule). Findings for a tool that claims a closed world get a `_closed_world` code suffix.
 */
export const credentialDetector: Detector = {
  id: 'credential',
  roles: ALL_ROLES,
  scan(t, call, out) {
    const code = (c: string): string => (call.outward ? c : `${c}_closed_world`);
    // Every token pattern needs a run of 16+ token characters, a PEM header or URL credentials.
    const possible =
      (t.flags & TextFlag.TokenRun) !== 0 ||
      t.lower.includes('-----begin') ||
      (t.lower.includes('@') && t.lower.includes('://'));
    const hit = possible ? matchSet(SECRET_SET, t) : undefined;
    if (hit !== undefined) {
      out.push(finding('credential', code(hit.code), t, hit.index, hit.length));
      return;
    }
    // Browser session theft: the cookie jar handed to a request.
    if (t.lower.includes('document.cookie')) {
      const cookie = COOKIE_EXFIL.exec(t.lower);
      if (cookie !== null) {
        out.push(finding('credential', code('cookie_exfiltration'), t, cookie.index, cookie[0].length));
        return;
      }
    }
    const ascii = (t.flags & TextFlag.NonPlain) === 0 && t.lower.length === t.text.length;
    if (ascii ? (wordGates(t.lower) & WordGate.Assigned) === 0 : !ASSIGNED_TRIGGER.test(t.lower)) return;
    const m = ASSIGNED.exec(t.text);
    if (m !== null && looksGenerated(m[1] as string)) {
      out.push(finding('credential', code('assigned_secret'), t, m.index, m[0].length));
    }
  },
};

/** `path-traversal`: climbing out of a directory (deeply, encoded, or to system files) or NUL bytes. */
export const traversalDetector: Detector = {
  id: 'path-traversal',
  roles: NOT_DOCUMENTS,
  scan(t, _call, out) {
    const lower = t.lower;
    const nul = lower.indexOf('\u0000');
    if (nul >= 0) {
      out.push(finding('path-traversal', 'nul_byte', t, nul, 1));
      return;
    }
    if (!lower.includes('..') && !lower.includes('%')) return;
    const deep =
      /(?:\.\.\.?[/\\]+){3,}|(?:\.\.[/\\]+){1,}(?:etc|root|proc|windows|boot|var|usr|home)[/\\]|\.{4,}[/\\]{2}|(?:\.\.[/\\]+){2,}\.ssh\b/.exec(
        lower,
      );
    // An encoded climb (%2e%2e%2f, ..%2f, double encoding) is suspicious at any depth.
    const encoded = /(?:%2e|\.)(?:%2e|\.)(?:%2f|%5c)|%2e%2e[/\\]|%25(?:2e|2f|5c)/.exec(lower);
    const m = deep ?? encoded;
    if (m !== null)
      out.push(
        finding(
          'path-traversal',
          encoded === m ? 'encoded_traversal' : 'deep_traversal',
          t,
          m.index,
          m[0].length,
        ),
      );
  },
};

const injectionPatterns = patternDetector(
  'prompt-injection',
  ALL_ROLES,
  [
    {
      code: 'ignore_instructions',
      re: /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+(?:of\s+)?)?your\s+(?:(?:previous|prior|original|current|existing)\s+)?(?:instructions?|rules|guidelines|guardrails|system\s+prompt|programming|directives)\b|\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:(?:all|any|the|your|my|these|those|of)\s+){0,3}(?:previous|prior|above|earlier|preceding|former|original|initial|system|safety|existing)\s+(?:instructions?|prompts?|directions?|rules|guidelines|context|messages?|guardrails|constraints|policies|directives)\b|\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|(?:written\s+)?(?:above|before|previously))/,
    },
    {
      code: 'role_hijack',
      re: /\byou\s+are\s+(?:now\s+)?(?:in\s+)?(?:dan|developer\s+mode|jailbroken|unrestricted|an?\s+unfiltered|no\s+longer\s+bound)\b|\bdo\s+anything\s+now\b|\bjailbreak(?:ed)?\s+mode\b|\bpretend\s+(?:that\s+)?you\s+(?:have|are\s+under)\s+no\s+(?:restrictions|rules|guidelines)|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored)\b/,
    },
    {
      code: 'fake_system_turn',
      re: /\bnew\s+(?:system\s+)?instructions?\s*:|\b(?:system|admin(?:istrator)?|developer)\s+(?:override|message|prompt|instructions?)\s*:|<\|(?:im_start|im_end|system|endoftext)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|important|instructions?)>/,
    },
    {
      code: 'prompt_exfiltration',
      re: /\b(?:reveal|print|output|show|repeat|leak|send)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|hidden|initial|original)\s+)?(?:system\s+prompt|instructions\s+above|hidden\s+instructions|initial\s+instructions)/,
    },
    {
      code: 'conceal_from_user',
      re: /\b(?:do\s+not|don't|never)\s+(?:tell|inform|alert|notify|mention\s+(?:this\s+)?to)\s+the\s+user\b|\bwithout\s+(?:telling|informing|notifying|asking|alerting)\s+the\s+user\b|\bthe\s+user\s+(?:must|should)\s+not\s+(?:know|be\s+told)\b/,
    },
  ],
  // Every pattern above needs one of these literals (plain words: a cheap pass); in plain text without wide whitespace
  // runs no match reaches more than 240 characters from one of them.
  {
    // The same literals as a prefix tree: one test per starting character, not one per literal.
    trigger: literalTrie([
      ...['ignore', 'disregard', 'forget', 'override', 'bypass', 'skip', 'jailbr', 'unrestrict'],
      ...['unfilter', 'uncensor', 'pretend', 'instruction', 'prompt', 'message', '<|', '[inst'],
      ...['[/inst', '<<sys', '<</sys', '<system', '</system', '<important', '</important', 'dan'],
      ...['developer', 'longer', 'anything', 'tell', 'inform', 'alert', 'notif', 'mention'],
      ...['asking', 'know', 'told'],
    ]),
    window: 240,
  },
);

// A cheaper necessary condition, checked first: one of the trigger's words at the start of a word
// (see word-gates.ts), or one of the trigger's tokens that begin with `<` or `[`.
// The trigger's tokens that begin with `<` or `[`, checked at each of those characters (memchr).
const MARKUP: readonly (readonly [string, readonly string[]])[] = [
  ['<', ['<|', '<<sys', '<</sys', '<system', '</system', '<important', '</important']],
  ['[', ['[inst', '[/inst']],
];

function markupPossible(lower: string): boolean {
  for (const [lead, tokens] of MARKUP) {
    for (let i = lower.indexOf(lead); i >= 0; i = lower.indexOf(lead, i + 1)) {
      const next = lower[i + 1];
      for (const token of tokens) if (token[1] === next && lower.startsWith(token, i)) return true;
    }
  }
  return false;
}

function injectionPossible(lower: string): boolean {
  return (wordGates(lower) & WordGate.Injection) !== 0 || markupPossible(lower);
}

const OPEN_QUOTES = '"`\u201c\u00ab';
const CLOSE_QUOTES = '"`\u201d\u00bb';
// Words that introduce a quotation as an example rather than an order.
const CUE =
  /\b(?:such\s+as|like|e\.g\.|for\s+example|examples?|says?|said|saying|phrases?|strings?|cases?|patterns?|quotes?|wording|text)\b[^\n]{0,24}$/;

/**
 * True when [start, end) sits inside double quotes (or backticks, or typographic quotes) on one line,
 * right after a cue such as "such as", "like" or "phishing mails say": the text discusses the phrase.
 */
function quotedMention(lower: string, start: number, end: number): boolean {
  let open = -1;
  for (let i = start - 1; i >= Math.max(0, start - 40); i--) {
    const ch = lower[i] as string;
    if (ch === '\n') return false;
    if (OPEN_QUOTES.includes(ch)) {
      open = i;
      break;
    }
  }
  if (open < 0) return false;
  const closer = CLOSE_QUOTES[OPEN_QUOTES.indexOf(lower[open] as string)] as string;
  const close = lower.indexOf(closer, end);
  if (close < 0 || close - end > 200 || lower.slice(end, close).includes('\n')) return false;
  return CUE.test(lower.slice(Math.max(0, open - 80), open));
}

/**
 * `prompt-injection`: instructions addressed to the model, hidden in arguments. A phrase quoted as an
 * example ("phishing mails say \"ignore previous instructions\"") is a mention and is skipped; the
 * rest of the text is still read, so a quoted decoy cannot shield a real instruction after it.
 */
export const injectionDetector: Detector = {
  id: 'prompt-injection',
  roles: ALL_ROLES,
  scan(t, call, out) {
    if (!injectionPossible(t.lower)) return;
    let view = t;
    for (let round = 0; round < 8; round++) {
      const found: Finding[] = [];
      injectionPatterns.scan(view, call, found);
      const f = found[0];
      if (f === undefined) return;
      const [start, end] = f.span;
      if (!quotedMention(t.lower, start, end)) {
        out.push(f);
        return;
      }
      const blank = (x: string): string => x.slice(0, start) + ' '.repeat(end - start) + x.slice(end);
      view = { ...view, text: blank(view.text), lower: blank(view.lower) };
    }
    // More mentions than that: whatever matches next is reported, mention or not (fail closed).
    injectionPatterns.scan(view, call, out);
  },
};
