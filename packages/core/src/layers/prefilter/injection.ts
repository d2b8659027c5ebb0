import {
  ALL_ROLES,
  type CallFacts,
  type Detector,
  type Finding,
  literalTrie,
  type Pattern,
  patternDetector,
  type ScanText,
} from './detector.js';
import { WordGate, wordGates } from './word-gates.js';

// Orders addressed to the model: each one is an attempt on whoever reads the text, wherever it sits.
const ORDERS: readonly Pattern[] = [
  {
    code: 'ignore_instructions',
    re: /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+(?:of\s+)?)?your\s+(?:(?:previous|prior|original|current|existing)\s+)?(?:instructions?|rules|guidelines|guardrails|system\s+prompt|programming|directives)\b|\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:(?:all|any|the|your|my|these|those|of)\s+){0,3}(?:previous|prior|above|earlier|preceding|former|original|initial|system|safety|existing)\s+(?:instructions?|prompts?|directions?|rules|guidelines|context|messages?|guardrails|constraints|policies|directives)\b|\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|(?:written\s+)?(?:above|before|previously))/,
  },
  {
    code: 'role_hijack',
    re: /\byou\s+are\s+(?:now\s+)?(?:in\s+)?(?:dan|developer\s+mode|jailbroken|unrestricted|an?\s+unfiltered|no\s+longer\s+bound)\b|\bdo\s+anything\s+now\b|\bjailbreak(?:ed)?\s+mode\b|\bpretend\s+(?:that\s+)?you\s+(?:have|are\s+under)\s+no\s+(?:restrictions|rules|guidelines)|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored)\b/,
  },
  {
    code: 'prompt_exfiltration',
    re: /\b(?:reveal|print|output|show|repeat|leak|send)\s+(?:me\s+)?(?:your|the)\s+(?:(?:full|entire|hidden|initial|original)\s+)?(?:system\s+prompt|instructions\s+above|hidden\s+instructions|initial\s+instructions)/,
  },
  {
    code: 'conceal_from_user',
    re: /\b(?:do\s+not|don't|never)\s+(?:tell|inform|alert|notify|mention\s+(?:this\s+)?to)\s+the\s+user\b|\bwithout\s+(?:telling|informing|notifying|asking|alerting)\s+the\s+user\b|\bthe\s+user\s+(?:must|should)\s+not\s+(?:know|be\s+told)\b/,
  },
];

// Markup that opens a conversation turn (`<system>`, `[INST]`, `<|im_start|>`, `System prompt:`).
const TURN: Pattern = {
  code: 'fake_system_turn',
  re: /\bnew\s+(?:system\s+)?instructions?\s*:|\b(?:system|admin(?:istrator)?|developer)\s+(?:override|message|prompt|instructions?)\s*:|<\|(?:im_start|im_end|system|endoftext)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|important|instructions?)>/,
};

// What makes turn markup in a document an attempt rather than a template: an order to send secrets
// or the prompt somewhere, or to run a fetching or destructive program.
const ACTS: Pattern = {
  code: 'order_in_turn',
  re: /\b(?:send|upload|post|forward|e-?mail|transmit|exfiltrate|leak|copy|paste|pipe|share|dump)\b[\s\S]{0,160}?(?:https?:\/\/|\bftp:\/\/|~\/|\/etc\/|\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.env\b|\.aws\b|\bcredentials?\b|\bprivate\s+keys?\b|\bapi[\s_-]?keys?\b|\b(?:access|auth|bearer|session|refresh)[\s_-]?tokens?\b|\bsecrets?\b|\bpasswords?\b|\bcookies?\b|\bsystem\s+prompt\b)|\b(?:run|execute|exec|eval)\b[\s\S]{0,80}?\b(?:curl|wget|bash|sh|powershell|pwsh|nc|ncat|rm\s+-rf|chmod|python3?\s+-c)\b/,
};

const injectionPatterns = patternDetector(
  'prompt-injection',
  ALL_ROLES,
  [...ORDERS.slice(0, 2), TURN, ...ORDERS.slice(2)],
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

// Read only in documents that carry turn markup: the orders, and acts, anywhere in the document.
const documentOrders = patternDetector('prompt-injection', ['document'], [...ORDERS, ACTS]);

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
// Words that introduce a quotation as an example rather than an order: naming it, or reporting what
// someone writes, hides or sends.
const CUE =
  /\b(?:such\s+as|like|e\.g\.|for\s+example|examples?|says?|said|saying|phrases?|strings?|cases?|patterns?|quotes?|wording|text|writes?|wrote|written|typed?|pasted?|inserts?|injects?|injected|hides?|hidden|embeds?|embedded|contains?|containing|sends?|sent)\b[^\n]{0,24}$/;

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
 * The first match of `patterns` in `t` that is not a quoted mention. After eight mentions whatever
 * matches next is reported, mention or not (fail closed).
 */
function firstOrder(patterns: Detector, t: ScanText, call: CallFacts): Finding | undefined {
  let view = t;
  for (let round = 0; round < 8; round++) {
    const found: Finding[] = [];
    patterns.scan(view, call, found);
    const f = found[0];
    if (f === undefined) return undefined;
    const [start, end] = f.span;
    if (!quotedMention(t.lower, start, end)) return f;
    const blank = (x: string): string => x.slice(0, start) + ' '.repeat(end - start) + x.slice(end);
    view = { ...view, text: blank(view.text), lower: blank(view.lower) };
  }
  const found: Finding[] = [];
  patterns.scan(view, call, found);
  return found[0];
}

/**
 * `prompt-injection`: instructions addressed to the model, hidden in arguments. A phrase quoted as an
 * example ("phishing mails say \"ignore previous instructions\"") is a mention and is skipped; the
 * rest of the text is still read, so a quoted decoy cannot shield a real instruction after it.
 * Turn markup (`<instructions>`, `<|im_start|>system`, `[INST]`) in a document — a prompt template
 * being written, say — is recorded, not blocked, unless the document also carries an order: an
 * override, a role hijack, a prompt leak, concealment, or an order to send secrets or run a program.
 * In a value, a command or decoded text the markup alone blocks, as before.
 */
export const injectionDetector: Detector = {
  id: 'prompt-injection',
  roles: ALL_ROLES,
  scan(t, call, out) {
    if (!injectionPossible(t.lower)) return;
    const f = firstOrder(injectionPatterns, t, call);
    if (f === undefined) return;
    if (f.code !== TURN.code || t.role !== 'document') {
      out.push(f);
      return;
    }
    const order = firstOrder(documentOrders, t, call);
    if (order !== undefined) out.push(order);
    // One record per argument: other views of the text are read, but need not say it again.
    else if (!out.some((x) => x.detector === f.detector && x.path === t.path))
      out.push({ ...f, recordOnly: true });
  },
};
