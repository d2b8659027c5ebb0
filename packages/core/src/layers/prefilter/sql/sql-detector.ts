import type { Detector, ScanText } from '../detector.js';
import { ALL_ROLES, finding } from '../detector.js';
import { SqlHarmCode } from './sql-harm.js';
import { findInjection } from './sql-injection.js';
import { judgeSql } from './sql-judge.js';
import { expandVersionedComments, MAX_PARSED_SQL } from './sql-parse.js';
import { readTokens } from './sql-token-judge.js';

const DETECTOR = 'sql-destructive';
// A key that names the text as SQL to run. (`command` says so only on a query tool, where it is
// not a content key; elsewhere it is a shell command, and SQL there counts when it parses.)
const SQL_KEY = /(?:^|[_.-])(?:sql|query|queries|statements?|stmts?)$/;
// Keys of file or message content: SQL there is a document (a migration, a README), not a run.
const CONTENT_KEY =
  /(?:^|[_.-])(?:content|contents|body|text|markdown|md|html|readme|docs?|document|file|files|path|filename|description|message|note|notes|comment|title|summary|patch|diff|old_?string|new_?string)$/;
// Every harm the judge reports needs one of these words (or a dot command) in the text, read with
// comments both kept and removed: text without any is not parsed at all.
const HARM_WORD =
  /\b(?:drop|truncate|alter|delete|update|grant|revoke|exec|execute|prepare|do|copy|outfile|dumpfile|load|attach|password|sp_executesql|pg_\w+|lo_import|lo_export|load_file|load_extension|xp_cmdshell|sys_exec|sys_eval)\b|^\s*\.[a-z]/m;
// A statement's first keyword, after leading comments and parentheses: only such text in a value
// is offered to the parser when nothing else says it is SQL.
const STATEMENT_START =
  /^(?:\s|\(|\/\*[\s\S]*?\*\/|--[^\n]*\n|#[^\n]*\n)*(?:drop|truncate|alter|delete|update|grant|revoke|exec|execute|prepare|do|copy|attach|load|set|select|with|insert|replace|merge|call|create)\b/;

/** Whether text in this place is SQL that will be executed (rather than content that mentions SQL). */
function executedAsSql(t: ScanText, sqlTool: boolean): boolean {
  if (SQL_KEY.test(t.key)) return true;
  if (sqlTool) return !CONTENT_KEY.test(t.key);
  return false;
}

function withoutComments(lower: string): string {
  return lower.includes('/*') ? lower.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '') : lower;
}

/**
 * `sql-destructive`: SQL that is executed (by a query tool, under a query-named key, or a value
 * that parses as a statement) and that destroys or escapes: DROP, TRUNCATE, ALTER … DROP, DELETE
 * and UPDATE that do not pin rows (see `pinsRows`), broad GRANT/REVOKE and user changes, dynamic
 * SQL, server file and program access. The text is parsed in several dialects and the decision is
 * on the statements; text no dialect parses is read by tokens (codes end in `_unparsed`). SQL in a
 * document being written (a migration file, a README) is content. Ordinary values are checked for
 * injection fragments (`sql-injection`).
 */
export const sqlDetector: Detector = {
  id: DETECTOR,
  roles: ALL_ROLES,
  scan(t, call, out) {
    const executed = executedAsSql(t, call.sqlTool);
    if (t.role === 'document' && !executed) return;
    const lower = expandVersionedComments(t.lower);
    const possible = HARM_WORD.test(lower) || HARM_WORD.test(withoutComments(lower));
    // A value not known to be SQL is parsed only when it starts like a statement and its tokens
    // already read as harmful (cheap); it counts only if a dialect parses it that way.
    const offered =
      executed ||
      (t.text.length <= MAX_PARSED_SQL &&
        STATEMENT_START.test(lower) &&
        readTokens(expandVersionedComments(t.text)) !== undefined);
    if (possible && offered) {
      const harm = judgeSql(expandVersionedComments(t.text));
      if (harm !== undefined && (executed || harm.unparsed !== true)) {
        const code = harm.unparsed === true ? `${harm.code}_unparsed` : harm.code;
        const [start, end] = harm.range;
        out.push(finding(DETECTOR, code, t, start, end - start));
        return;
      }
    }
    if (executed) return;
    const hit = findInjection(t.lower);
    if (hit !== undefined) out.push(finding(DETECTOR, SqlHarmCode.Injection, t, hit.index, hit.length));
  },
};
