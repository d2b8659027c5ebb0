/**
 * Poisoning decided by principle, not by phrase: a description says what its tool does; text that
 * addresses the agent with what it must do elsewhere does not belong there. Each text is scored on
 * signals that hold in any wording and (mostly) any language — literal destinations (email addresses,
 * URLs), sensitive targets (secret paths, environment and shell commands, and the pre-filter's own
 * credential / sensitive-path / injection detectors run on the text), references to arguments and to
 * other tools — plus a small table of cue CONCEPTS (always, before, hide, send/copy, secret, …) in
 * seven languages. The table lists concepts, one short word each, not phrases; it is meant to stay small.
 */
import { scanArguments, type ToolDefinition } from '@governed-mcp/core';

/** One signal that a text addresses the agent rather than describing a tool. */
export type Signal =
  | 'conceal'
  | 'stealth'
  | 'injection'
  | 'sensitive'
  | 'secret-word'
  | 'mail-destination'
  | 'url-destination'
  | 'transfer'
  | 'obligation'
  | 'argument-reference'
  | 'tool-reference';

/** How much each signal weighs; a text at or over `THRESHOLD` is flagged. */
const WEIGHT: Readonly<Record<Signal, number>> = {
  conceal: 4,
  stealth: 2,
  injection: 4,
  sensitive: 2,
  'mail-destination': 2,
  'secret-word': 1,
  'url-destination': 1,
  transfer: 1,
  obligation: 1,
  'argument-reference': 1,
  'tool-reference': 1,
};
const THRESHOLD = 4;

/**
 * The cue concepts, per language (en, de, fr, es, pt, zh, ja). Latin-script words match at word
 * starts (so `send` covers `sending`, `immer` covers `immerzu`); CJK words match anywhere.
 */
const CUES: Readonly<
  Record<'conceal' | 'stealth' | 'obligation' | 'transfer' | 'secret' | 'argument', string>
> = {
  // Keeping something from the user: alone enough to flag.
  conceal:
    "do not tell|don't tell|never tell|not mention|never mention|without telling|without informing|need not be reported|never made aware|hide it from|nicht erwähn|verschweig|ohne dass der nutzer|ohne dass der benutzer|ne le dis|sans le dire|no se lo digas|sin decír|sin decir|não diga|不要告诉|别告诉|隐瞒|言わない|伝えないで",
  // Doing something unseen (also said of harmless things: "succeeds silently"), so weighed lower.
  stealth:
    'secretly|silently|quietly|covertly|heimlich|secrètement|en secret|en secreto|a escondidas|em segredo|悄悄|秘密地|こっそり|内緒|黙って',
  obligation:
    'always|never|must|required|essential|before|prior to|first|instead|whenever|every time|each time|every|important|note to the|immer|muss|jede|bevor|vorher|zuerst|stattdessen|toujours|doit|avant|chaque|jamais|siempre|debe|antes|cada|nunca|sempre|deve|总是|必须|务必|之前|每次|每封|始终|必ず|常に|前に|毎回|すべて',
  transfer:
    'send|forward|copy|copied|cc|bcc|attach|append|include|insert|put|paste|pass|supply|dump|fill|redirect|into|übergib|sende|schick|kopie|weiterleit|anhäng|einfüg|schreib|envoie|envoyer|copie|transf|mets|inclu|envía|envia|reenv|copia|pon|incluy|adjunt|发送|抄送|转发|复制|放入|填入|附加|包含|送信|送って|転送|コピー|含め|添付|入れ',
  secret:
    'secret|password|passwd|credential|api key|api keys|private key|ssh key|access token|token|environment variable|conversation history|chat history|passwort|geheim|zugangsdaten|mot de passe|clé privée|identifiant|contraseña|credencial|clave privada|senha|密码|密钥|凭据|环境变量|令牌|パスワード|秘密鍵|認証情報|環境変数|トークン',
  argument:
    'argument|parameter|param|field|paramètre|champ|parámetro|argumento|campo|参数|字段|引数|パラメータ|フィールド',
};

const CJK = /[\u3040-\u30ff\u3400-\u9fff]/u;

function cueRegex(list: string): RegExp {
  const latin: string[] = [];
  const cjk: string[] = [];
  for (const w of list.split('|')) (CJK.test(w) ? cjk : latin).push(w.replace(/[.*+?^${}()[\]\\]/g, '\\$&'));
  const parts = [`(?<![\\p{L}\\p{N}_])(?:${latin.join('|')})`];
  if (cjk.length > 0) parts.push(`(?:${cjk.join('|')})`);
  return new RegExp(parts.join('|'), 'u');
}

const CUE_RE = {
  conceal: cueRegex(CUES.conceal),
  stealth: cueRegex(CUES.stealth),
  obligation: cueRegex(CUES.obligation),
  transfer: cueRegex(CUES.transfer),
  secret: cueRegex(CUES.secret),
  argument: cueRegex(CUES.argument),
};

// Reserved example names (RFC 2606 / 6761) are illustrations, never destinations.
const EXAMPLE_DOMAIN = /(^|\.)(example\.(com|org|net)|[a-z0-9-]+\.(example|test|invalid|localhost))$/;
const URL_RE = /\bhttps?:\/\/([^\s/:'"`<>)]+)/g;
// Secret paths and environment/command reads (beyond the pre-filter's sensitive-path detector).
const SENSITIVE =
  /(?:^|[\s'"`(/~])\.(?:ssh|aws|gnupg|netrc|npmrc|pgpass|env|git-credentials|kube|docker)\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\/etc\/(?:passwd|shadow)|\b(?:printenv|process\.env|os\.environ|getenv)\b|\benv(?:ironment)?[\s_-]var(?:iable)?s\b|\$[A-Z][A-Z0-9_]{2,}|\b[A-Z][A-Z0-9]*_(?:TOKEN|KEY|SECRET|PASSWORD)\b/;
// An agent told what to do with another tool (`the send_email tool`, `any other tool`, `call X`).
const TOOL_REFERENCE =
  /\b(?:any|every|all)\s+other\s+tools?\b|\b[a-z][a-z0-9]*_[a-z0-9_]+\s+tool\b|\btool\s+named\b|\b(?:call|invoke|use|using)\s+(?:the\s+)?`?[a-z][a-z0-9]*_[a-z0-9_]+`?/;
const DESCRIPTION_TOOL: ToolDefinition = { name: 'description', inputSchema: { type: 'object' } };

function destinations(text: string, re: RegExp, group: number): number {
  let n = 0;
  for (const m of text.matchAll(re)) if (!EXAMPLE_DOMAIN.test((m[group] ?? '').toLowerCase())) n++;
  return n;
}

/** The part of an address before `@`, read backwards from it (one character). */
const LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
/** An address's domain, read forwards from just after its `@` (sticky). */
const MAIL_DOMAIN = /[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})+/uy;

/**
 * How many e-mail addresses outside the example domains `text` holds, up to `enough`. Each `@` is
 * found with `indexOf` and its domain read from there: a pattern tried at every position of a long
 * text costs ~60 steps per character for nothing.
 */
function mailDestinations(text: string, enough: number): number {
  let n = 0;
  for (let at = text.indexOf('@'); at >= 0 && n < enough; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_CHAR.test(text[at - 1] as string)) continue;
    MAIL_DOMAIN.lastIndex = at + 1;
    const m = MAIL_DOMAIN.exec(text);
    if (m !== null && !EXAMPLE_DOMAIN.test(m[0].toLowerCase())) n++;
  }
  return n;
}

/**
 * The signals in one text. `raw` keeps case (environment names); `flat` is normalized lower case.
 * The pre-filter's detectors run on the raw text as if it were an argument.
 */
export function signalsOf(raw: string, flat: string): Set<Signal> {
  const s = new Set<Signal>();
  if (CUE_RE.conceal.test(flat)) s.add('conceal');
  if (CUE_RE.stealth.test(flat)) s.add('stealth');
  if (CUE_RE.obligation.test(flat)) s.add('obligation');
  if (CUE_RE.transfer.test(flat)) s.add('transfer');
  if (CUE_RE.secret.test(flat)) s.add('secret-word');
  if (CUE_RE.argument.test(flat)) s.add('argument-reference');
  if (SENSITIVE.test(raw) || SENSITIVE.test(flat)) s.add('sensitive');
  if (mailDestinations(flat, 1) > 0) s.add('mail-destination');
  if (destinations(flat, URL_RE, 1) > 0) s.add('url-destination');
  if (TOOL_REFERENCE.test(flat)) s.add('tool-reference');
  for (const f of scanArguments({ text: raw }, DESCRIPTION_TOOL)) {
    if (f.detector === 'prompt-injection') s.add('injection');
    else if (f.detector === 'sensitive-path' || f.detector === 'credential') s.add('sensitive');
  }
  return s;
}

/** The score of a set of signals. */
export function scoreOf(signals: ReadonlySet<Signal>): number {
  let n = 0;
  for (const s of signals) n += WEIGHT[s];
  return n;
}

/** True when a text's signals say it addresses the agent (see the module comment). */
export function isDirective(signals: ReadonlySet<Signal>): boolean {
  return scoreOf(signals) >= THRESHOLD;
}
