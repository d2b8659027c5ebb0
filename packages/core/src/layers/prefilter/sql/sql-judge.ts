import { FILE_FUNCTIONS, type SqlHarm, SqlHarmCode } from './sql-harm.js';
import { childrenOf, functionNameOf, isNode, type SqlNode, typeOf, wordOf } from './sql-node.js';
import { MAX_PARSED_SQL, parseStatement } from './sql-parse.js';
import { judgeTokens, readTokens, type SqlReadContext } from './sql-token-judge.js';
import { statementsOf, type TokenStatement } from './sql-tokens.js';
import { pinsRows } from './sql-where.js';

// SQL inside SQL (EXECUTE 'literal', PREPARE … FROM 'literal', DO $$ … $$) is read this deep.
const MAX_NESTING = 3;
// A statement's tree is walked this far; a bigger one is read by tokens instead (fail closed).
const MAX_NODES = 20_000;
const BROAD_OBJECT = /^(?:all|database|schema|tablespace|language|foreign)/;
const POWER_OPTIONS = /\b(?:superuser|createrole|createdb|bypassrls|replication|sysadmin)\b/i;
// ALTER … DROP of these removes data or its guarantees; DROP DEFAULT / NOT NULL does not.
const DROPPED_RESOURCES = new Set([
  'column',
  'constraint',
  'key',
  'primary key',
  'partition',
  'index',
  'check',
]);

/**
 * The first harmful statement in `text`. The text is split into statements; each is read by every
 * dialect that parses it (a harm in any reading counts) and, when none does, by tokens (the harm is
 * then marked `unparsed`). Undefined when every reading of every statement is harmless.
 */
export function judgeSql(text: string, depth = 0): SqlHarm | undefined {
  const ctx: SqlReadContext = {
    prepared: new Set(),
    nested: (sql) =>
      depth + 1 >= MAX_NESTING ? { code: SqlHarmCode.DynamicSql, range: [0, 0] } : judgeSql(sql, depth + 1),
  };
  // Too long to parse: the token reading decides for the whole text.
  if (text.length > MAX_PARSED_SQL) return readTokens(text, ctx);
  // Where a backslash sits in the text, the statements split differently under MySQL's escapes and
  // standard strings (`'a\'; DROP …` hides the DROP inside a string only for MySQL): both splits count.
  for (const escapes of text.includes('\\') ? [true, false] : [true]) {
    for (const stmt of statementsOf(text, false, escapes)) {
      const harm = judgeStatement(stmt, text, ctx);
      if (harm !== undefined) return harm;
    }
  }
  // Comment splicing (`DR/**\/OP`) reads as one word to some readers: the token reading decides the
  // statements a comment splices, read with their words joined.
  if (!splicesWords(text)) return undefined;
  for (const stmt of statementsOf(text, true)) {
    if (!splicesWords(text.slice(stmt.start, stmt.end))) continue;
    const harm = judgeTokens(stmt, text, ctx);
    if (harm !== undefined) return harm;
  }
  return undefined;
}

/** Whether a block comment sits between two word characters (linear: each comment is passed once). */
function splicesWords(text: string): boolean {
  const word = /\w/;
  for (let open = text.indexOf('/*'); open >= 0; ) {
    const close = text.indexOf('*/', open + 2);
    if (close < 0) return false;
    if (word.test(text[open - 1] ?? '') && word.test(text[close + 2] ?? '')) return true;
    open = text.indexOf('/*', close + 2);
  }
  return false;
}

/** One statement: judged on every dialect's reading, or on its tokens when no dialect parses it. */
function judgeStatement(stmt: TokenStatement, text: string, ctx: SqlReadContext): SqlHarm | undefined {
  const sql = text.slice(stmt.start, stmt.end);
  const { readings, complete } = parseStatement(sql, stmt.tokens[0]?.word ?? '');
  const range: readonly [number, number] = [stmt.start, stmt.end];
  let judged = false;
  for (const statements of readings) {
    for (const node of statements) {
      const code = judgeTree(node, sql, ctx);
      if (code === 'too-big') continue;
      judged = true;
      if (code !== undefined) return { code, range };
    }
  }
  if (judged && complete) return undefined;
  return judgeTokens(stmt, text, ctx);
}

/** The first harm anywhere in one statement's tree (nested statements included). */
function judgeTree(root: SqlNode, sql: string, ctx: SqlReadContext): SqlHarmCode | 'too-big' | undefined {
  // Iterative: hostile nesting cannot exhaust the stack.
  const stack: SqlNode[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const node = stack.pop() as SqlNode;
    if (++seen > MAX_NODES) return 'too-big';
    const code = judgeNode(node, sql, ctx);
    if (code !== undefined) return code;
    const kids = childrenOf(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as SqlNode);
  }
  return undefined;
}

/** The harm one node does by itself. */
function judgeNode(n: SqlNode, sql: string, ctx: SqlReadContext): SqlHarmCode | undefined {
  const type = typeOf(n);
  const keyword = wordOf(n.keyword);
  switch (type) {
    case 'drop':
      return SqlHarmCode.Drop;
    case 'truncate':
      return SqlHarmCode.Truncate;
    case 'delete':
    case 'update':
      // A statement names its table; `ON CONFLICT … DO UPDATE` (no table) changes the conflicting row.
      if (n.table === undefined || pinsRows(n.where)) return undefined;
      return type === 'delete' ? SqlHarmCode.MassDelete : SqlHarmCode.MassUpdate;
    case 'alter':
      if (keyword === 'user' || keyword === 'role') return SqlHarmCode.Privilege;
      if (wordOf(n.action) === 'drop' && DROPPED_RESOURCES.has(wordOf(n.resource)))
        return SqlHarmCode.AlterDrop;
      return undefined;
    case 'grant':
    case 'revoke':
      return keyword === 'role' || isBroadGrant(n) ? SqlHarmCode.Privilege : undefined;
    case 'create':
      return (keyword === 'user' || keyword === 'role') && POWER_OPTIONS.test(sql)
        ? SqlHarmCode.Privilege
        : undefined;
    case 'execute':
      return ctx.prepared.has(functionNameOf(n) ?? '') ? undefined : SqlHarmCode.DynamicSql;
    case 'function':
      return FILE_FUNCTIONS.has(functionNameOf(n) ?? '') ? SqlHarmCode.FileAccess : undefined;
    case 'into':
      return keyword === 'outfile' || keyword === 'dumpfile' ? SqlHarmCode.FileAccess : undefined;
    case 'attach':
    case 'load_data':
      return SqlHarmCode.FileAccess;
    default:
      return undefined;
  }
}

/** GRANT/REVOKE of everything, on a whole database or schema, to everyone, or with grant option. */
function isBroadGrant(n: SqlNode): boolean {
  if (n.with !== null && n.with !== undefined) return true;
  const objects = Array.isArray(n.objects) ? n.objects : [];
  if (objects.some((o) => isNode(o) && /^all\b/.test(wordOf(o.priv)))) return true;
  const on = isNode(n.on) ? n.on : {};
  if (BROAD_OBJECT.test(wordOf(on.object_type))) return true;
  const levels = Array.isArray(on.priv_level) ? on.priv_level : [];
  if (levels.some((l) => isNode(l) && (l.name === '*' || l.prefix === '*'))) return true;
  const grantees = Array.isArray(n.user_or_roles) ? n.user_or_roles : [];
  return grantees.some((g) => isNode(g) && wordOf(g.name) === 'public');
}
