import type { ToolDefinition } from '../call.js';
import { normalize } from '../layers/prefilter/normalize.js';
import { CAPABILITY_CLASSES, type CapabilityClass } from '../session-facts.js';
import {
  ACCESS_OBJECTS,
  ACCESS_VERBS,
  BODY_PROPERTIES,
  DELETE_VERBS,
  EXEC_OBJECTS,
  EXEC_PROPERTIES,
  EXEC_VERBS,
  MONEY_OBJECTS,
  MONEY_PROPERTIES,
  MONEY_VERBS,
  NOUN_VERBS,
  READ_VERBS,
  RECIPIENT_PROPERTIES,
  REMOTE_READ_VERBS,
  SEND_OBJECTS,
  SEND_VERBS,
  SENSITIVE_OBJECTS,
  UNTRUSTED_OBJECTS,
  VAGUE_VERBS,
  WRITE_VERBS,
} from './capability-lexicon.js';
import { type DefinitionReading, firstSentence, sameReading, schemaKeys, wordsOf } from './tool-words.js';

/** Classes per definition object (held no longer than the definition), checked against its content on each use. */
const readings = new WeakMap<ToolDefinition, DefinitionReading<readonly CapabilityClass[]>>();

/** A name or sentence with lookalikes folded to Latin (the pre-filter's table), case kept for word splits. */
function fold(text: string): string {
  return normalize(text).text;
}

/** The classes that change state; `readOnlyHint` may remove them only when no verb carries them. */
const WRITE_CLASSES: ReadonlySet<CapabilityClass> = new Set([
  'moves-money',
  'changes-access',
  'sends-outside',
  'deletes',
  'executes-code',
  'changes-state',
]);

const isVerb = (w: string): boolean =>
  READ_VERBS.has(w) ||
  WRITE_VERBS.has(w) ||
  MONEY_VERBS.has(w) ||
  ACCESS_VERBS.has(w) ||
  SEND_VERBS.has(w) ||
  DELETE_VERBS.has(w) ||
  EXEC_VERBS.has(w) ||
  w === 'transfer';

const FILE_OBJECTS = new Set(['file', 'data', 'document', 'folder', 'directory', 'attachment']);
const EXEC_STARTERS = new Set(['start', 'trigger', 'submit', 'schedule', 'launch', 'create', 'rerun']);
const PERSON_WORDS = new Set(['user', 'customer', 'employee', 'patient', 'client', 'member', 'person']);
const PERSON_DATA = new Set(['info', 'information', 'detail', 'data', 'profile', 'record']);

/** What a list of words (a name, or a description's first sentence) says a tool does. */
interface WordReading {
  readonly classes: Set<CapabilityClass>;
  /** The words held a verb (so a description is not needed to say what the tool does). */
  readonly hasVerb: boolean;
  readonly hasRead: boolean;
  readonly hasWrite: boolean;
  /** Every verb was a vague one (`manage`): the description says what the tool does. */
  readonly vague: boolean;
}

function readWords(words: readonly string[]): WordReading {
  const verbs = new Set<string>();
  const objects = new Set<string>();
  for (const w of words) if (isVerb(w) && !NOUN_VERBS.has(w)) verbs.add(w);
  // A leading word is read as a verb (`list_files`, `post_webpage`, `check_balance`).
  const first = words[0];
  if (first !== undefined && isVerb(first)) verbs.add(first);
  // A word that is both noun and verb (`post`, `order`) is the verb only when nothing else is.
  let nounVerb = verbs.size === 0;
  for (const w of words) {
    if (verbs.has(w)) continue;
    if (nounVerb && NOUN_VERBS.has(w) && isVerb(w)) {
      verbs.add(w);
      nounVerb = false;
    } else objects.add(w);
  }
  const classes = new Set<CapabilityClass>();
  const some = (s: ReadonlySet<string>, from: ReadonlySet<string>): boolean => {
    for (const w of from) if (s.has(w)) return true;
    return false;
  };
  const hasRead = some(READ_VERBS, verbs);
  const writes = [...verbs].filter((v) => !READ_VERBS.has(v));
  const hasWrite = writes.length > 0;
  const writeSet = new Set(writes);
  const moneyObject = some(MONEY_OBJECTS, objects);
  if (some(MONEY_VERBS, writeSet) || (hasWrite && moneyObject && !writeSet.has('transfer'))) {
    classes.add('moves-money');
  }
  if (writeSet.has('transfer')) {
    if (some(ACCESS_OBJECTS, objects)) classes.add('changes-access');
    else if (some(FILE_OBJECTS, objects)) classes.add('sends-outside');
    else classes.add('moves-money');
  }
  if (some(ACCESS_VERBS, writeSet) || (hasWrite && some(ACCESS_OBJECTS, objects))) {
    classes.add('changes-access');
  }
  const sends = some(SEND_VERBS, writeSet) || (hasWrite && some(SEND_OBJECTS, objects));
  // Sending money is paying, not sending data out.
  if (sends && !(moneyObject && classes.has('moves-money'))) classes.add('sends-outside');
  if (some(DELETE_VERBS, writeSet)) classes.add('deletes');
  const execVerb = some(EXEC_VERBS, writeSet) && !moneyObject;
  const execObject = some(EXEC_OBJECTS, objects) && (verbs.size === 0 || some(EXEC_STARTERS, writeSet));
  if (execVerb || execObject) classes.add('executes-code');
  if (hasRead || verbs.size === 0) {
    const person = some(PERSON_WORDS, objects) && some(PERSON_DATA, objects);
    if (person || some(SENSITIVE_OBJECTS, objects)) classes.add('reads-sensitive');
    if (some(UNTRUSTED_OBJECTS, objects)) classes.add('reads-untrusted');
  }
  if (some(REMOTE_READ_VERBS, verbs)) classes.add('reads-untrusted');
  // A bare `search` (no object) searches the web or a corpus others wrote.
  if (verbs.has('search') && objects.size === 0) classes.add('reads-untrusted');
  const vague = verbs.size > 0 && [...verbs].every((v) => VAGUE_VERBS.has(v));
  return { classes, hasVerb: verbs.size > 0, hasRead, hasWrite, vague };
}

const HTTP_WORDS = new Set(['http', 'https', 'request', 'curl', 'api', 'webhook', 'rest', 'graphql']);

/** Classes the input schema's property names show, for tools whose name does not read. */
function schemaClasses(
  keys: readonly string[],
  words: readonly string[],
  writes: boolean,
): Set<CapabilityClass> {
  // The lowercased names `schemaWords` gives, from the keys it visits.
  const names = new Set<string>();
  for (const key of keys) names.add(key.toLowerCase().slice(0, 64));
  const classes = new Set<CapabilityClass>();
  const has = (s: ReadonlySet<string>): boolean => {
    for (const n of names) if (s.has(n)) return true;
    return false;
  };
  if (has(MONEY_PROPERTIES) && (names.has('recipient') || names.has('iban') || names.has('to'))) {
    classes.add('moves-money');
  }
  if (has(EXEC_PROPERTIES)) classes.add('executes-code');
  if (has(RECIPIENT_PROPERTIES) && has(BODY_PROPERTIES) && !classes.has('moves-money')) {
    classes.add('sends-outside');
  }
  // An HTTP tool that takes a method or a body can POST anywhere.
  if (words.some((w) => HTTP_WORDS.has(w)) && (names.has('method') || names.has('body'))) {
    classes.add('sends-outside');
  }
  if (!writes && (names.has('url') || names.has('uri'))) classes.add('reads-untrusted');
  return classes;
}

/** Most characters of a text read for the acts it asks for. */
const MAX_REQUEST_CHARS = 4_000;

/**
 * The classes of the acts a text asks for, read sentence by sentence with the lexicon that reads tool
 * names and descriptions: "Please grant permanent access to my friend" asks to change access, "wire
 * $500 to …" to move money, "dispatch a van to …" to change something (`changes-state` stands only for
 * acts of no more specific class). Bounded; pure.
 * @example requestedClasses('Please transfer $900 to account 12-3456.') // ['moves-money', 'changes-access']
 */
export function requestedClasses(text: string): readonly CapabilityClass[] {
  const bounded = text.length > MAX_REQUEST_CHARS ? text.slice(0, MAX_REQUEST_CHARS) : text;
  const classes = new Set<CapabilityClass>();
  for (const sentence of fold(bounded).split(/[.!?;\n]+/)) {
    // A prohibition ("do not invent facts", "never share it") asks for no act.
    if (PROHIBITION.test(sentence)) continue;
    // Politeness and modals come before the verb: drop them so the verb leads its words.
    const words = wordsOf(sentence).filter((w) => !LEADING_FILLERS.has(w));
    const reading = readWords(words);
    const specific = [...reading.classes].filter((c) => WRITE_CLASSES.has(c) && c !== 'changes-state');
    // An act on a sum of money moves money, whatever the verb ("transfer $3,000 from my account").
    if (reading.hasWrite && AMOUNT.test(sentence)) specific.push('moves-money');
    for (const c of specific) classes.add(c);
    // A change of no more specific kind ("dispatch a van", "update my record") is asked for as such.
    // Vague verbs alone ("do", "use", "handle") name no act.
    if (reading.hasWrite && !reading.vague && specific.length === 0) classes.add('changes-state');
  }
  return CAPABILITY_CLASSES.filter((c) => classes.has(c));
}

/** A sum of money: a currency sign or code next to a number. */
const AMOUNT = /[$€£¥]\s?\d|\d[\d,.]*\s?(?:usd|eur|gbp|chf|dollars?|euros?|pounds?)\b/i;

/** A sentence that forbids rather than asks. */
const PROHIBITION =
  /\b(?:do\s+not|don'?t|never|must\s+not|mustn'?t|should\s+not|shouldn'?t|no\s+need\s+to)\b/i;

/** Words that come before an imperative's verb. */
const LEADING_FILLERS = new Set([
  'please',
  'kindly',
  'you',
  'must',
  'should',
  'need',
  'to',
  'now',
  'also',
  'then',
  'first',
  'immediately',
  'can',
  'could',
  'would',
  'will',
  'and',
  'urgently',
  'quickly',
  'just',
]);

/**
 * What a tool can do, inferred from its definition: the name (split into words), the title, the first
 * sentence of the description, the input schema's property names and the MCP annotations. Pure,
 * deterministic and bounded on hostile definitions; classes come in `CAPABILITY_CLASSES` order.
 *
 * Annotations are hints from the server: `readOnlyHint` removes a write class only when no verb of the
 * name or description carries it (a read-only-hinted `delete_everything` still deletes), and
 * `destructiveHint` adds `deletes` when no other write class explains it. Updating a user's own details
 * (`update_user_info`) counts as `changes-access`: the e-mail and phone on an account are how it is
 * recovered.
 *
 * The result is frozen and reused for the same definition object while everything it was read from
 * (name, title, description, the schema's property names, the two hints) is unchanged.
 *
 * @example classifyTool({ name: 'send_money', inputSchema: {} }) // ['moves-money']
 */
export function classifyTool(definition: ToolDefinition): readonly CapabilityClass[] {
  const keys = schemaKeys(definition.inputSchema);
  const hints = definition.annotations;
  const readOnly = hints?.readOnlyHint === true;
  const destructive = hints?.destructiveHint === true;
  const known = readings.get(definition);
  if (known !== undefined && sameReading(known, definition, readOnly, destructive, keys)) return known.value;
  const classes = Object.freeze(classifyNow(definition, keys, readOnly, destructive));
  if (typeof definition === 'object' && definition !== null) {
    const { name, title, description } = definition;
    readings.set(definition, { name, title, description, readOnly, destructive, keys, value: classes });
  }
  return classes;
}

function classifyNow(
  definition: ToolDefinition,
  keys: readonly string[],
  readOnly: boolean,
  destructive: boolean,
): CapabilityClass[] {
  const name = typeof definition.name === 'string' ? definition.name : '';
  const title = typeof definition.title === 'string' ? definition.title : '';
  const description = typeof definition.description === 'string' ? definition.description : '';
  // Lookalike letters, full-width forms and invisible characters are folded first, as names are
  // compared everywhere else (`рayment` with a Cyrillic р pays all the same).
  const nameWords = wordsOf(fold(`${name.slice(0, 256)} ${title.slice(0, 200)}`));
  const named = readWords(nameWords);
  const described = readWords(wordsOf(fold(firstSentence(description))));
  const carried = new Set(named.classes);
  // The description speaks for a name with no verb (`gmail`, `terminal`); it adds what is read otherwise.
  for (const c of described.classes) {
    if (!named.hasVerb || named.vague || (!WRITE_CLASSES.has(c) && !named.hasWrite)) carried.add(c);
  }
  const classes = new Set(carried);
  const fromSchema = schemaClasses(keys, nameWords, named.hasWrite && !named.vague);
  // A reading tool's schema (`search_transactions(recipient, amount)`) only says what it reads.
  if (!named.hasRead) for (const c of fromSchema) classes.add(c);
  else if (fromSchema.has('reads-untrusted')) classes.add('reads-untrusted');
  if (readOnly) {
    for (const c of WRITE_CLASSES) if (!carried.has(c)) classes.delete(c);
  }
  const writes = [...classes].some((c) => WRITE_CLASSES.has(c));
  if (destructive && !readOnly && !writes) classes.add('deletes');
  // Anything that is not a pure read changes state: a write verb in the name (or in the description of
  // a name without one), or any more specific write class that survived the hints.
  const verbWrites = named.hasWrite || ((!named.hasVerb || named.vague) && described.hasWrite);
  if (verbWrites || [...classes].some((c) => WRITE_CLASSES.has(c))) classes.add('changes-state');
  return CAPABILITY_CLASSES.filter((c) => classes.has(c));
}
