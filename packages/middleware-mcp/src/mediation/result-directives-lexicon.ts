/**
 * The cues the result-directive detector weighs (English only). Each cue is generic: how an injected
 * instruction addresses its reader, claims precedence over the user's task, hides itself, or orders an
 * act with consequences. All patterns run on lowercased, folded text and are bounded (no nested
 * quantifiers, fixed gaps). The cues and {@link MENTION} run once over a whole text (global); the
 * imperatives are sticky, tried only at clause starts.
 */

/** One weighted cue: a pattern and what it adds to a segment's score. */
export interface Cue {
  readonly name: string;
  readonly re: RegExp;
  readonly weight: number;
}

/** Verbs of acts with consequences: money, access, credentials, deletion, sending, execution. */
const STRONG_VERBS =
  'transfer|wire|pay|deposit|withdraw|send|forward|grant|revoke|disable|deactivate|turn\\s+off|unlock|' +
  'delete|erase|remove|wipe|purge|destroy|reset|change|update|modify|invite|share|post|publish|' +
  'upload|exfiltrate|leak|execute|run|install|download|redirect|dispatch|sell|buy|purchase|' +
  'authorize|authorise|approve|register|add|create|set|email|e-mail|mail|message|text|move|copy|' +
  'export|give|assign|promote|leave|cancel|close|transmit|submit|fill|initiate|allow|attach|grant';

/** Verbs of ordinary requests to a human reader that alone carry little weight. */
const SOFT_VERBS =
  'guide|schedule|use|open|visit|click|go|navigate|call|contact|tell|let|make|retrieve|get|fetch|' +
  'read|check|find|look|search|list|provide|include|attach|append|reply|respond|write|save|store|' +
  'turn|switch|start|stop|restart|enable|apply|mark|follow|try|review|confirm|verify|print|show|' +
  'collect|gather|compile|concatenate|combine|merge|summari[sz]e|translate|generate|put|grab|paste|pull|note';

/** Where a clause starts inside a segment: after a comma, colon, semicolon or dash, or "your task is to". */
export const CLAUSE_START = /[,:;\u2014\u2013]\s+|\b(?:task|job|goal|objective)\s+is\s+(?:now\s+)?to\s+/g;

/** What may come between a clause start and its verb: bullets, a role tag, politeness, a modal. */
const HEAD =
  '[-*>#\\s]*(?:\\[[a-z ]{1,20}\\]\\s*)?(?:(?:please|kindly|now|immediately|also|then|first|urgently|quickly)\\s*,?\\s+)?' +
  '(?:(?:you\\s+)?(?:must|should|need\\s+to|have\\s+to|are\\s+(?:required|instructed|asked)\\s+to)\\s+|(?:can|could|would|will)\\s+you\\s+(?:please\\s+)?)?';

/** Not a field label ("Pay to:", "Send via:"): a verb followed by a colon names a field. */
const NOT_LABEL = '(?!\\s*(?:to|from|by|via|with|on|at)?\\s*:)';

/** A strong imperative verb at a clause start (sticky: set `lastIndex` to the start). */
export const STRONG_IMPERATIVE = new RegExp(`${HEAD}(?:${STRONG_VERBS})\\b${NOT_LABEL}`, 'y');
/** A soft imperative verb at a clause start (sticky). */
export const SOFT_IMPERATIVE = new RegExp(`${HEAD}(?:${SOFT_VERBS})\\b${NOT_LABEL}`, 'y');
/** A clause opened by "please" (or "kindly"), whatever the verb (sticky). */
export const POLITE_LEAD = /[-*>#\s]*(?:please|kindly)\s+[a-z]/y;

/** A strong verb chained after another imperative ("collect the files and send them to …"). */
export const CHAINED_STRONG = new RegExp(
  `\\b(?:and|then)\\s+(?:then\\s+)?(?:${STRONG_VERBS})\\s+(?:them|it|this|that|those|these|all|everything)\\b`,
);

/** An object named by an identifier, the way tools take their arguments ("with id X", "ID001"). */
export const IDENTIFIER = /\b(?:id|ids|code|number|no\.|#)\s*[:#]?\s*[a-z0-9_-]*\d|\bid\d|\(id\s/;

/** The cues that need no imperative to count: address, precedence, concealment, markup. */
export const CUES: readonly Cue[] = [
  {
    name: 'addresses-agent',
    re: /\b(?:(?:ai|llm|coding|automated|autonomous|setup|maintainer|support|email|mail|calendar|browsing|shopping|banking)\s+(?:assistants?|agents?|models?|bots?)|assistants?|chatbots?|copilots?|llms?|you,?\s+the\s+(?:ai|assistant|agent|model|bot)|as\s+an\s+ai|dear\s+(?:ai|agent|assistant|bot)|automated\s+(?:contributors?|tools?|systems?|readers?)|(?:agents?|bots?)\s+(?:may|must|should|can|need\s+to|are\s+(?:asked|required|expected)))\b|@(?:assistant|agent|bot|ai)\b|\b(?:an|f[uü]e?r|para|pour|per|voor|dla|al|ao|au|à)\s+(?:(?:den|dem|die|el|la|o|a|l'|de|het)\s+)?(?:[a-z]+-)?(?:assistent(?:en|in)?|asistente|assistente|assistante|asystent(?:a|em)?)\b|\b(?:[a-z]+-)?(?:assistent(?:en|in)?|asistente|assistente|assistante)\s*[:,]|\b(?:ki|ia)-?(?:assistent(?:en)?|asistente|assistente|assistant|agent(?:en)?|agente|modell?|modelo)\b/,
    weight: 2,
  },
  {
    name: 'overrides-task',
    re: /\bbefore\s+(?:you|continuing|proceeding|answering|responding|summari[sz]ing|replying|doing\s+anything)\b|\b(?:ignore|disregard|forget|override|skip)\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+)?(?:previous|prior|above|earlier|original|other|user'?s?|current)\b|\binstead\s+of\s+(?:doing|following|completing|answering|the\s+(?:user|task|request))|\b(?:your|the)\s+(?:new|real|actual|updated|only|first)\s+(?:task|instructions?|goal|job|priority|objective)\b|\bnew\s+(?:task|instructions?|directive)s?\s*:|\b(?:do|complete|perform)\s+the\s+following\s+(?:first|before|task|steps?|instead)|\bafter\s+you\s+(?:do|have\s+done|complete|finish)\s+(?:that|this)\b|\bthe\s+task\s+(?:that\s+)?(?:i|the\s+user|you\s+were)\s+gave?|\b(?:solve|complete|finish)\s+(?:the|your)\s+(?:original\s+)?task\b|\bin\s+addition\s+to\s+(?:your|the)\s+(?:task|request)|\bthis\s+is\s+(?:an?\s+)?(?:instruction|order|directive)\s+(?:for|to)\b/,
    weight: 2,
  },
  {
    name: 'conceals',
    re: /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|notify|alert|ask|mention|show|reveal|confirm\s+with)\b[^.\n]{0,40}\b(?:user|owner|anyone|me|human|this)\b|\bwithout\s+(?:asking|telling|informing|notifying|confirming|checking|alerting|consulting)\b|\b(?:silently|secretly|quietly|covertly)\b|\bno\s+need\s+to\s+(?:ask|confirm|tell|mention)\b/,
    weight: 2,
  },
  {
    name: 'role-markup',
    re: /<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[\/?(?:inst|system|sys|admin|assistant)\]|<<\/?sys>>|<\/?(?:system|instructions?|admin|assistant|prompt)>|(?:^|\n)[ \t]*#{2,}\s*(?:instruction|system|task|response)s?\b|\b(?:system|admin|developer)\s+(?:override|note|prompt|instructions?|message)\s*:/,
    weight: 2,
  },
  {
    // Text a reader does not see: a comment, hidden styling, a Markdown link-reference comment.
    name: 'hidden-wrapper',
    re: /<!--|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|(?:^|\n)\[\/\/\]:\s*#/,
    weight: 1,
  },
];

/** Objects that give an imperative consequences: money, accounts, access, credentials, destinations. */
export const CONSEQUENCE =
  /(?:[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:usd|eur|gbp|dollars?|euros?|bitcoin|btc|eth|units?)\b|\b(?:iban|account|acct|routing|wallet|password|passcode|credentials?|secret|token|api\s*keys?|ssh|access|permissions?|admin|owner|role|two[- ]factor|2fa|mfa|authentication|security|settings?|policy|policies|email\s+address|phone\s+number|address|profile|repository|repo|all\s+(?:files|emails|messages|documents|data|records|contacts)|files?|folder|door|lock|data|records?|funds?|money|payment|transaction|shipment|order)\b|\ball\s+(?:of\s+)?(?:my|the|your|our)\b|[a-z0-9]@[a-z0-9-]+\.[a-z]|\bhttps?:\/\/|\bwww\.|\b[a-z]{2}\d{2}\s?[a-z0-9]{4})/;

/**
 * A destination named in a segment: an e-mail address, a URL or a bank account. With a cue that
 * addresses the agent it makes an instruction in any language ("para el asistente: … envíalo a x@y").
 */
export const DESTINATION =
  /[a-z0-9._%+-]@[a-z0-9-]+\.[a-z]|\bhttps?:\/\/|\bwww\.|\b[a-z]{2}\d{2}\s?[a-z0-9]{4}\s?\d{4}/;

/** A first-person owner of what the imperative acts on ("my account"): the writer poses as the user. */
export const FIRST_PERSON = /\b(?:my|me|mine)\b/;

/** Quoted-example cues: the segment discusses such a phrase rather than issuing it. */
export const MENTION =
  /\b(?:such\s+as|for\s+example|e\.g\.|phishing|scam|example\s+of|warns?|beware|never\s+ask\s+you\s+to|will\s+never)\b/;
