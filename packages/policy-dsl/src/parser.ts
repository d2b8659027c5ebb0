import type { Condition, PolicyDocument, RuleEffect, Statement } from './ast.js';
import { didYouMean, type PolicyDiagnostic, PolicyErrorCode, sortDiagnostics } from './diagnostics.js';
import { type Token, tokenize } from './lexer.js';
import { parseCondition } from './parser-conditions.js';
import { parseSetting, parseToolHead } from './parser-settings.js';
import { err, ok, type Result } from './result.js';
import { TokenStream } from './token-stream.js';

const STATEMENTS = ['default', 'include', 'principle', 'tier', 'tool', 'allow', 'deny', 'ask'] as const;
const RULE_LINES = ['when', 'unless', 'reason', 'question', 'end'];
const EFFECTS: readonly string[] = ['allow', 'deny', 'ask'];

/**
 * Parses one policy file into its syntax tree. Includes are not followed here (see `loadPolicyFile`).
 * @example
 * const r = parsePolicy('default allow\ndeny no-shell\n  when tool == "shell"\n  reason "No shells."\nend\n', 'a.policy');
 * if (r.ok) r.value.statements[1]; // { kind: 'rule', effect: 'deny', name: 'no-shell', … }
 */
export function parsePolicy(source: string, file: string): Result<PolicyDocument, PolicyDiagnostic[]> {
  const { document, errors } = parseDocument(source, file);
  return errors.length > 0 ? err(errors) : ok(document);
}

/**
 * Parses what it can: the statements that parsed cleanly, and every error. The loader compiles such a
 * partial document to report type errors in the same run as syntax errors; it never loads one.
 */
export function parseDocument(
  source: string,
  file: string,
): { document: PolicyDocument; errors: PolicyDiagnostic[] } {
  const { tokens, errors } = tokenize(source, file);
  const s = new TokenStream(tokens, file, source);
  const statements: Statement[] = [];
  s.skipNewlines();
  while (!s.at('eof')) {
    const before = s.errors.length;
    const st = parseStatement(s);
    if (st !== undefined && s.errors.length === before) statements.push(st);
    if (s.errors.length > before) s.recover();
    s.skipNewlines();
  }
  return { document: { file, source, statements }, errors: sortDiagnostics([...errors, ...s.errors]) };
}

function parseStatement(s: TokenStream): Statement | undefined {
  const t = s.peek();
  if (t.kind !== 'ident') {
    s.error(
      t,
      PolicyErrorCode.UnexpectedToken,
      `expected a statement (${STATEMENTS.join(', ')}), found ${s.describe(t)}`,
    );
    return undefined;
  }
  switch (t.text) {
    case 'default':
      return parseDefault(s);
    case 'include': {
      s.next();
      const path = s.expectString('a file name after include');
      if (path === undefined || !s.endOfLine()) return undefined;
      return { kind: 'include', path: path.text, span: s.spanFrom(t) };
    }
    case 'principle': {
      s.next();
      const text = s.expectText('the principle as a quoted sentence');
      if (text === undefined || !s.endOfLine()) return undefined;
      return { kind: 'principle', text, span: s.spanFrom(t) };
    }
    case 'tier':
    case 'tool':
      return parseBlock(s, t);
    case 'allow':
    case 'deny':
    case 'ask':
      return parseRule(s, t.text);
    default:
      s.error(
        t,
        PolicyErrorCode.UnknownField,
        `unknown statement '${t.text}'${didYouMean(t.text, STATEMENTS)}`,
      );
      return undefined;
  }
}

function parseDefault(s: TokenStream): Statement | undefined {
  const start = s.next();
  const word = s.peek();
  if (word.kind === 'ident' && (word.text === 'allow' || word.text === 'deny')) {
    s.next();
    if (!s.endOfLine()) return undefined;
    return { kind: 'default', effect: word.text, span: s.spanFrom(start) };
  }
  if (word.kind === 'ident' && word.text === 'principal') {
    s.next();
    const id = s.expectString('the default principal id as a quoted string');
    if (id === undefined || !s.expectWord('tier')) return undefined;
    const tier = s.expectIdent('a tier name');
    if (tier === undefined || !s.endOfLine()) return undefined;
    return { kind: 'default-principal', id: id.text, tier: tier.text, span: s.spanFrom(start) };
  }
  s.error(
    word,
    PolicyErrorCode.UnexpectedToken,
    `expected 'allow', 'deny' or 'principal' after default, found ${s.describe(word)}`,
  );
  return undefined;
}

function parseBlock(s: TokenStream, start: Token): Statement | undefined {
  s.next();
  const isTier = start.text === 'tier';
  const head = isTier ? s.expectIdent('a tier name') : undefined;
  const tool = isTier ? undefined : parseToolHead(s);
  if (head === undefined && tool === undefined) return undefined;
  let server: string | undefined;
  if (!isTier && s.peekWord('server')) {
    s.next();
    server = s.expectString('a server name in quotes')?.text;
    if (server === undefined) return undefined;
  }
  if (!s.endOfLine()) return undefined;
  const span = s.spanFrom(start);
  const settings = [];
  s.skipNewlines();
  while (!s.peekWord('end')) {
    if (s.at('eof')) {
      s.error(start, PolicyErrorCode.UnexpectedToken, `${start.text} block is never closed by 'end'`);
      return undefined;
    }
    const before = s.errors.length;
    const setting = parseSetting(s, isTier ? 'tier' : 'tool');
    if (setting !== undefined && s.errors.length === before) settings.push(setting);
    if (s.errors.length > before) s.recoverLine();
    s.skipNewlines();
  }
  s.next();
  if (!s.endOfLine()) return undefined;
  return tool === undefined
    ? { kind: 'tier', name: head?.text ?? '', settings, span }
    : { kind: 'tool', ...tool, ...(server === undefined ? {} : { server }), settings, span };
}

function parseRule(s: TokenStream, effect: RuleEffect): Statement | undefined {
  const start = s.next();
  const name = s.expectIdent('a rule name (letters, digits, - and _)');
  if (name === undefined || !s.endOfLine()) return undefined;
  const span = s.spanFrom(start);
  const conditions: Condition[] = [];
  let reason: string | undefined;
  let question: string | undefined;
  s.skipNewlines();
  while (!s.peekWord('end')) {
    const t = s.peek();
    if (t.kind === 'eof' || (t.kind === 'ident' && EFFECTS.includes(t.text))) {
      s.error(start, PolicyErrorCode.UnexpectedToken, `rule '${name.text}' is never closed by 'end'`);
      return undefined;
    }
    s.next();
    if (t.kind === 'ident' && (t.text === 'when' || t.text === 'unless')) {
      const c = parseCondition(s);
      if (c === undefined || !s.endOfLine()) return undefined;
      conditions.push(t.text === 'when' ? c : { kind: 'not', item: c, span: s.spanFrom(t) });
    } else if (t.kind === 'ident' && t.text === 'reason') {
      if (reason !== undefined) s.error(t, PolicyErrorCode.Duplicate, `rule '${name.text}' has two reasons`);
      reason = s.expectText('the reason as a quoted sentence');
      if (reason === undefined || !s.endOfLine()) return undefined;
    } else if (t.kind === 'ident' && t.text === 'question') {
      if (effect !== 'ask')
        s.error(
          t,
          PolicyErrorCode.UnknownField,
          `only ask rules ask a question; '${name.text}' is ${effect}`,
        );
      if (question !== undefined)
        s.error(t, PolicyErrorCode.Duplicate, `rule '${name.text}' has two questions`);
      question = s.expectText('the question as a quoted sentence');
      if (question === undefined || !s.endOfLine()) return undefined;
    } else {
      const word = t.kind === 'ident' ? t.text : '';
      s.error(
        t,
        PolicyErrorCode.UnknownField,
        `expected when, unless, reason, question or end in rule '${name.text}', found ${s.describe(t)}${didYouMean(word, RULE_LINES)}`,
      );
      return undefined;
    }
    s.skipNewlines();
  }
  s.next();
  if (!s.endOfLine()) return undefined;
  if (reason === undefined) {
    s.error(start, PolicyErrorCode.Missing, `rule '${name.text}' needs a reason "…" line`);
    return undefined;
  }
  const when =
    conditions.length === 0
      ? undefined
      : conditions.length === 1
        ? conditions[0]
        : { kind: 'and' as const, items: conditions, span };
  const rule = { kind: 'rule' as const, effect, name: name.text, reason, span };
  const asked = question === undefined ? rule : { ...rule, question };
  return when === undefined ? asked : { ...asked, when };
}
