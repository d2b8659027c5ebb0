import { createRequire } from 'node:module';
import { type VendorFile, vendorFilePath } from '../../../vendor-files.js';
import { isNode, type SqlNode, typeOf } from './sql-node.js';

/** The dialects tried, most common first; a statement counts if any dialect reads it that way. */
export const SQL_DIALECTS = Object.freeze([
  'postgresql',
  'mysql',
  'sqlite',
  'transactsql',
  'bigquery',
] as const);

/** One of `SQL_DIALECTS`. */
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/**
 * Longer text is not parsed; the token reading covers it. One parse of 4 KiB costs a few
 * milliseconds per dialect, so the bound keeps a scan's parsing well under its budget.
 */
export const MAX_PARSED_SQL = 4 * 1024;

/** Milliseconds of parsing one scan may spend; past it, text gets the token reading only. */
export const SQL_PARSE_BUDGET_MS = 250;

let budgetLeft = SQL_PARSE_BUDGET_MS;

/** Starts a fresh parse budget (called once per scan of a call's arguments). */
export function resetSqlParseBudget(): void {
  budgetLeft = SQL_PARSE_BUDGET_MS;
}

interface AstParser {
  astify(sql: string, options: { database: string }): unknown;
}

// Each dialect is its own build of the parser (a few hundred KiB, ~50–130 ms to load): loaded on
// first use only, so a process that never sees SQL never pays for it, and one that does pays only
// for the dialects its text needs. The builds ship in core's vendor/ folder (see vendor-files.ts); a
// missing one throws, and the pre-filter layer then denies (fail-closed).
const require = createRequire(import.meta.url);
const FILES: Readonly<Record<SqlDialect, VendorFile>> = {
  postgresql: 'sql-postgresql',
  mysql: 'sql-mysql',
  sqlite: 'sql-sqlite',
  transactsql: 'sql-transactsql',
  bigquery: 'sql-bigquery',
};
const DATABASE: Readonly<Record<SqlDialect, string>> = {
  postgresql: 'PostgresQL',
  mysql: 'MySQL',
  sqlite: 'Sqlite',
  transactsql: 'TransactSQL',
  bigquery: 'BigQuery',
};
const parsers = new Map<SqlDialect, AstParser>();

function parserOf(dialect: SqlDialect): AstParser {
  let parser = parsers.get(dialect);
  if (parser === undefined) {
    const build = require(vendorFilePath(FILES[dialect])) as { Parser: new () => AstParser };
    parser = new build.Parser();
    parsers.set(dialect, parser);
  }
  return parser;
}

/**
 * Drops the loaded dialect parsers: the next parse loads them again. Exists so that tests can reach
 * the missing-file path; the gate never calls it.
 */
export function unloadSqlParsers(): void {
  parsers.clear();
}

// The words a statement of each type can start with. A reading counts only when every statement
// has a known type and the first one starts the way the text does: the parsers accept some junk
// (bare words read as procedural assignments), and such a reading says nothing about the text.
const LEADS: Readonly<Record<string, readonly string[]>> = {
  select: ['select', 'with', '(', 'values', 'table'],
  insert: ['insert', 'with'],
  replace: ['replace'],
  update: ['update', 'with'],
  delete: ['delete', 'with'],
  drop: ['drop'],
  truncate: ['truncate'],
  alter: ['alter'],
  create: ['create'],
  grant: ['grant'],
  revoke: ['revoke'],
  use: ['use'],
  show: ['show'],
  desc: ['desc', 'describe'],
  explain: ['explain'],
  transaction: ['begin', 'start', 'commit', 'rollback', 'end', 'savepoint', 'release'],
  execute: ['execute', 'exec'],
  set: ['set'],
  lock: ['lock'],
  unlock: ['unlock'],
  call: ['call'],
  rename: ['rename'],
  attach: ['attach'],
  load_data: ['load'],
  comment: ['comment'],
  analyze: ['analyze'],
};

// DROP names objects without aliases; the grammars share a table-reference rule that lets any word
// follow a name as its alias, so `Drop table tennis practice` would read as a DROP. It is not one.
const DROP_OPTION = /^(?:cascade|restrict)$/i;

function misread(statement: SqlNode): boolean {
  if (typeOf(statement) !== 'drop' || !Array.isArray(statement.name)) return false;
  return statement.name.some((n) => isNode(n) && typeof n.as === 'string' && !DROP_OPTION.test(n.as));
}

function faithful(statements: readonly unknown[], lead: string): statements is SqlNode[] {
  if (statements.length === 0) return false;
  if (!statements.every((s) => isNode(s) && LEADS[typeOf(s)] !== undefined && !misread(s))) return false;
  return LEADS[typeOf(statements[0])]?.includes(lead) === true;
}

/** The readings of one statement: the statements each dialect that parses it reads. */
export interface ParsedSql {
  readonly readings: readonly (readonly SqlNode[])[];
  /** False when the text was too long or the budget ran out before every dialect was tried. */
  readonly complete: boolean;
}

/**
 * MySQL and MariaDB run the body of a versioned comment (`/*!50000 DROP *\/`, `/*M! … *\/`); other
 * parsers skip it as a comment. Shown as code, same length, so spans hold for every dialect.
 */
export function expandVersionedComments(text: string): string {
  if (!text.includes('/*!') && !text.includes('/*M!') && !text.includes('/*m!')) return text;
  return text.replace(/\/\*[Mm]?!\d{0,6}([\s\S]*?)(\*\/|$)/g, (m: string, body: string, close: string) => {
    const open = m.length - body.length - close.length;
    return ' '.repeat(open) + body + ' '.repeat(close.length);
  });
}

// Dialects disagree on quotes, escapes, comments, variables and a few operators (`||` is OR in
// MySQL, concatenation elsewhere). Text with none of these reads the same in every dialect that
// parses it, so the first reading decides; other text is read by every dialect.
const DIALECT_SENSITIVE = /["`\\#$[|&!^@~]|\/\*|--/;

/**
 * Every dialect's faithful reading of `sql` (a statement whose first word is `lead`), or the first
 * one when the dialects cannot disagree, within the length bound and the scan's parse budget.
 */
export function parseStatement(sql: string, lead: string): ParsedSql {
  if (sql.length > MAX_PARSED_SQL) return { readings: [], complete: false };
  const readings: SqlNode[][] = [];
  const first = !DIALECT_SENSITIVE.test(sql);
  for (const dialect of SQL_DIALECTS) {
    if (first && readings.length > 0) break;
    if (budgetLeft <= 0) return { readings, complete: false };
    const parser = parserOf(dialect);
    const started = performance.now();
    try {
      const ast = parser.astify(sql, { database: DATABASE[dialect] });
      const statements = Array.isArray(ast) ? ast : [ast];
      if (faithful(statements, lead)) readings.push(statements);
    } catch {
      // A syntax error in one dialect is an answer, not a failure: the next dialect is tried.
    }
    budgetLeft -= performance.now() - started;
  }
  return { readings, complete: true };
}
