import type { Condition, FactName, Operator, Predicate, Span, Subject, Value } from './ast.js';
import { didYouMean, PolicyErrorCode } from './diagnostics.js';
import type { Token } from './lexer.js';
import type { TokenStream } from './token-stream.js';

const SIMPLE_SUBJECTS = ['tool', 'server', 'principal', 'tier', 'method'] as const;
const SUBJECT_WORDS = [...SIMPLE_SUBJECTS, 'arg', 'any', 'session', 'origin'];
/** The fields of the fact subjects, by the word before the dot. */
const FACT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  tool: ['class'],
  session: ['flagged', 'step', 'called', 'requested'],
  origin: ['instructed', 'flagged', 'sensitive', 'kind', 'tool'],
};
/** Fact subjects that are true or false: written alone, they mean `== true`. */
const BOOL_FACTS: readonly FactName[] = ['origin.instructed', 'origin.flagged', 'origin.sensitive'];
const WORD_OPERATORS = [
  'in',
  'glob',
  'matches',
  'contains',
  'startswith',
  'endswith',
  'exists',
  'missing',
  'is',
];

/**
 * Parses a condition: `or` of `and` of `not`/parenthesised/predicate terms.
 * @example
 * // when tool == "a" or arg.n > 3 and not arg.x exists
 */
export function parseCondition(s: TokenStream, depth = 0): Condition | undefined {
  return parseBinary(s, 'or', depth);
}

function parseBinary(s: TokenStream, op: 'and' | 'or', depth: number): Condition | undefined {
  const start = s.peek();
  const first = op === 'or' ? parseBinary(s, 'and', depth) : parseUnary(s, depth);
  if (first === undefined) return undefined;
  const items = [first];
  while (s.peekWord(op)) {
    s.next();
    const more = op === 'or' ? parseBinary(s, 'and', depth) : parseUnary(s, depth);
    if (more === undefined) return undefined;
    items.push(more);
  }
  return items.length === 1 ? first : { kind: op, items, span: s.spanFrom(start) };
}

/** How deep parentheses and `not` may nest in one condition; deeper is an error, not a stack overflow. */
const MAX_NESTING = 64;

function parseUnary(s: TokenStream, depth = 0): Condition | undefined {
  const t = s.peek();
  if (depth > MAX_NESTING) {
    s.error(t, PolicyErrorCode.UnexpectedToken, `conditions may nest at most ${MAX_NESTING} levels deep`);
    return undefined;
  }
  if (t.kind === 'ident' && t.text === 'not') {
    s.next();
    const item = parseUnary(s, depth + 1);
    return item === undefined ? undefined : { kind: 'not', item, span: s.spanFrom(t) };
  }
  if (t.kind === 'punct' && t.text === '(') {
    s.next();
    const inner = parseCondition(s, depth + 1);
    if (inner === undefined || !s.expectPunct(')')) return undefined;
    return inner;
  }
  return parsePredicate(s);
}

function parseSubject(s: TokenStream): Subject | undefined {
  const t = s.next();
  if (t.kind !== 'ident') {
    s.error(
      t,
      PolicyErrorCode.UnexpectedToken,
      `expected a condition (${SUBJECT_WORDS.join(', ')}, tool.class), found ${s.describe(t)}`,
    );
    return undefined;
  }
  if (t.text === 'session' || t.text === 'origin' || (t.text === 'tool' && s.peekPunct('.')))
    return parseFact(s, t);
  if ((SIMPLE_SUBJECTS as readonly string[]).includes(t.text))
    return { kind: t.text as (typeof SIMPLE_SUBJECTS)[number] };
  if (t.text === 'any') return s.expectWord('string') ? { kind: 'any-string' } : undefined;
  if (t.text === 'arg' || t.text === 'args') {
    const path: string[] = [];
    while (s.peekPunct('.')) {
      s.next();
      const key = s.next();
      if (key.kind !== 'ident' && key.kind !== 'string' && key.kind !== 'number') {
        s.error(
          key,
          PolicyErrorCode.UnexpectedToken,
          `expected an argument name after '.', found ${s.describe(key)}`,
        );
        return undefined;
      }
      path.push(key.text);
    }
    if (path.length === 0) {
      s.error(
        t,
        PolicyErrorCode.UnexpectedToken,
        `write arg.NAME to read an argument (or 'any string' for every string)`,
      );
      return undefined;
    }
    return { kind: 'arg', path };
  }
  s.error(
    t,
    PolicyErrorCode.UnknownField,
    `unknown condition subject '${t.text}'${didYouMean(t.text, SUBJECT_WORDS)}`,
  );
  return undefined;
}

/** `tool.class`, `session.FIELD` or `origin.FIELD`, after its first word. */
function parseFact(s: TokenStream, head: Token): Subject | undefined {
  const fields = FACT_FIELDS[head.text] ?? [];
  const choices = fields.map((f) => `${head.text}.${f}`).join(', ');
  if (!s.expectPunct('.')) return undefined;
  const field = s.next();
  if (field.kind !== 'ident' || !fields.includes(field.text)) {
    const word = field.kind === 'ident' ? field.text : '';
    s.error(
      field,
      PolicyErrorCode.UnknownField,
      `unknown field ${s.describe(field)} of ${head.text} (${choices})${didYouMean(word, fields)}`,
    );
    return undefined;
  }
  return { kind: 'fact', name: `${head.text}.${field.text}` as FactName };
}

/** Where a condition may end: a true-or-false fact written alone stops here. */
function atConditionEnd(s: TokenStream): boolean {
  const t = s.peek();
  if (t.kind === 'newline' || t.kind === 'eof') return true;
  if (t.kind === 'punct') return t.text === ')';
  return t.kind === 'ident' && (t.text === 'and' || t.text === 'or');
}

function parsePredicate(s: TokenStream): Predicate | undefined {
  const start = s.peek();
  const subject = parseSubject(s);
  if (subject === undefined) return undefined;
  if (subject.kind === 'fact' && BOOL_FACTS.includes(subject.name) && atConditionEnd(s)) {
    const span = s.spanFrom(start);
    return { kind: 'predicate', subject, op: '==', value: { kind: 'bool', value: true, span }, span };
  }
  const t = s.next();
  let op: Operator;
  if (t.kind === 'punct' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) op = t.text as Operator;
  else if (t.kind === 'ident' && WORD_OPERATORS.includes(t.text)) op = t.text as Operator;
  else if (t.kind === 'ident' && t.text === 'not' && s.peekWord('in')) {
    s.next();
    op = 'not-in';
  } else {
    const word = t.kind === 'ident' ? t.text : '';
    s.error(
      t,
      PolicyErrorCode.UnexpectedToken,
      `expected an operator (==, !=, <, <=, >, >=, ${WORD_OPERATORS.join(', ')}, not in), found ${s.describe(t)}${didYouMean(word, WORD_OPERATORS)}`,
    );
    return undefined;
  }
  let value: Value;
  if (op === 'exists' || op === 'missing') value = { kind: 'none', span: t.span };
  else {
    const v = parseValue(s);
    if (v === undefined) return undefined;
    value = v;
  }
  return { kind: 'predicate', subject, op, value, span: s.spanFrom(start) };
}

function parseValue(s: TokenStream): Value | undefined {
  const t = s.next();
  switch (t.kind) {
    case 'string':
      return { kind: 'string', value: t.text, span: t.span };
    case 'number': {
      const n = Number(t.text);
      if (!Number.isFinite(n)) break;
      return { kind: 'number', value: n, span: t.span };
    }
    case 'regex':
      return { kind: 'regex', source: t.text, flags: t.flags ?? '', span: t.span };
    case 'ident':
      if (t.text === 'true' || t.text === 'false')
        return { kind: 'bool', value: t.text === 'true', span: t.span };
      return { kind: 'ident', name: t.text, span: t.span };
    case 'punct':
      if (t.text !== '[') break;
      return parseList(s, t);
    default:
      break;
  }
  s.error(
    t,
    PolicyErrorCode.UnexpectedToken,
    `expected a value (a "string", a number, a /regex/, true, false, a name or a [list]), found ${s.describe(t)}`,
  );
  return undefined;
}

function parseList(s: TokenStream, open: Token): Value | undefined {
  const items: Value[] = [];
  while (!s.peekPunct(']')) {
    const v = parseValue(s);
    if (v === undefined) return undefined;
    if (v.kind === 'list') {
      s.error(v.span, PolicyErrorCode.TypeMismatch, 'lists cannot be nested');
      return undefined;
    }
    items.push(v);
    if (!s.peekPunct(',')) break;
    s.next();
  }
  if (!s.expectPunct(']')) return undefined;
  const span: Span = s.spanFrom(open);
  return { kind: 'list', items, span };
}
