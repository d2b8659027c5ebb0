import { FILE_FUNCTIONS, type SqlHarm, SqlHarmCode } from './sql-harm.js';
import { type SqlToken, statementsOf, type TokenStatement } from './sql-tokens.js';

/** What a statement's reading needs from the text around it. */
export interface SqlReadContext {
  /** Names prepared by an earlier statement of the same text (`PREPARE s AS …`). */
  readonly prepared: Set<string>;
  /** Judges SQL carried inside a statement (a string, the body of `PREPARE … AS`); absent: not read. */
  readonly nested?: (sql: string) => SqlHarm | undefined;
}

/**
 * The token reading, for SQL that is executed but that no dialect parses (an engine's own syntax,
 * or a spelling made to break parsers). Comments are removed (both as separators and joining the
 * words around them, so `DR/**\/OP` reads `drop`); string literals are opaque tokens; each
 * statement is judged by its leading keywords, and so is each part that can start a statement of
 * its own (after `(`, after a procedural `BEGIN`/`THEN`/`ELSE`/`LOOP`, after a CTE). It cannot
 * check a WHERE clause, so an unparsed DELETE or UPDATE counts as unpinned (fail closed).
 */
export function readTokens(
  text: string,
  ctx: SqlReadContext = { prepared: new Set() },
  readings: readonly ('joined' | 'separated')[] = ['joined', 'separated'],
): SqlHarm | undefined {
  for (const reading of readings) {
    const joinComments = reading === 'joined';
    for (const stmt of statementsOf(text, joinComments)) {
      const harm = judgeTokens(stmt, text, ctx);
      if (harm !== undefined) return harm;
    }
  }
  return undefined;
}

const BLOCK_WORDS = new Set(['begin', 'then', 'else', 'loop']);
const EXEC_WORDS = new Set(['exec', 'execute', 'sp_executesql', 'do', 'prepare']);

/** The harm one statement does, read from its tokens; `unparsed` is set on every harm found. */
export function judgeTokens(stmt: TokenStatement, text: string, ctx: SqlReadContext): SqlHarm | undefined {
  const words = stmt.tokens.map((t) => t.word);
  const at = (code: SqlHarmCode): SqlHarm => ({ code, range: [stmt.start, stmt.end], unparsed: true });
  if (words.some((w, k) => FILE_FUNCTIONS.has(w) && (w === 'xp_cmdshell' || words[k + 1] === '(')))
    return at(SqlHarmCode.FileAccess);
  if (words.some((w, k) => w === 'into' && (words[k + 1] === 'outfile' || words[k + 1] === 'dumpfile')))
    return at(SqlHarmCode.FileAccess);
  if (words[0] === '.' && /^(?:shell|system|sh|import|output|once|load)$/.test(words[1] ?? ''))
    return at(SqlHarmCode.FileAccess);
  const withStatement = words[0] === 'with';
  for (let k = 0; k < words.length; k++) {
    const prev = words[k - 1];
    const starts =
      k === 0 ||
      prev === '(' ||
      (prev !== undefined && BLOCK_WORDS.has(prev)) ||
      (withStatement && prev === ')');
    if (!starts || words[k] === '(') continue;
    const harm = judgeLeading(stmt.tokens.slice(k), text, stmt.end, ctx);
    if (harm === 'none') continue;
    if (harm !== undefined && 'code' in harm) return { ...harm, range: [stmt.start, stmt.end] };
    if (harm !== undefined) return at(harm.kind);
  }
  return undefined;
}

type Leading = { kind: SqlHarmCode } | SqlHarm | 'none' | undefined;

/** Whether the tokens are exactly `words` followed by one string literal; its content if so. */
function carriedString(tokens: readonly SqlToken[], words: readonly string[]): string | undefined {
  if (tokens.length !== words.length + 1) return undefined;
  if (!words.every((w, i) => tokens[i]?.word === w)) return undefined;
  const last = tokens[words.length];
  return last?.word === "'" ? last.body : undefined;
}

/** SQL carried in a string: judged as SQL when the context can; otherwise dynamic SQL. */
function judgeCarried(sql: string | undefined, ctx: SqlReadContext): Leading {
  if (sql === undefined || ctx.nested === undefined) return { kind: SqlHarmCode.DynamicSql };
  return ctx.nested(sql) ?? 'none';
}

/** The harm of a statement (or a part that starts one) read from its leading words. */
function judgeLeading(tokens: readonly SqlToken[], text: string, end: number, ctx: SqlReadContext): Leading {
  const words = tokens.map((t) => t.word);
  const [first, second] = words;
  const has = (w: string): boolean => words.includes(w);
  const harm = (code: SqlHarmCode): Leading => ({ kind: code });
  switch (first) {
    case 'drop':
      return words.length >= 3 ? harm(SqlHarmCode.Drop) : undefined;
    case 'truncate':
      return words.length >= 2 ? harm(SqlHarmCode.Truncate) : undefined;
    case 'alter':
      if (second === 'user' || second === 'role' || second === 'login') return harm(SqlHarmCode.Privilege);
      return has('drop') ? harm(SqlHarmCode.AlterDrop) : undefined;
    case 'delete':
      return has('from') ? harm(SqlHarmCode.MassDelete) : undefined;
    case 'update':
      return has('set') ? harm(SqlHarmCode.MassUpdate) : undefined;
    case 'grant':
    case 'revoke':
      return has('to') || has('from') ? harm(SqlHarmCode.Privilege) : undefined;
    case 'set':
      return second === 'password' ? harm(SqlHarmCode.Privilege) : undefined;
    case 'copy':
      return has('program') || ((has('to') || has('from')) && !has('stdin') && !has('stdout'))
        ? harm(SqlHarmCode.FileAccess)
        : undefined;
    case 'attach':
      return harm(SqlHarmCode.FileAccess);
    case 'load':
      return second === 'data' || second === 'extension' ? harm(SqlHarmCode.FileAccess) : undefined;
    case 'prepare':
      return judgePrepare(tokens, text, end, ctx);
    case 'exec':
    case 'execute':
      return judgeExecute(tokens, ctx);
    case 'do': {
      const body = tokens[tokens.length - 1];
      if (body?.word === "'" && words.slice(1, -1).every((w) => w === 'language' || /^\w+$/.test(w)))
        return judgeCarried(body.body, ctx);
      return words.length >= 2 ? harm(SqlHarmCode.DynamicSql) : undefined;
    }
    default:
      if (EXEC_WORDS.has(first ?? '') && words.length >= 2) return harm(SqlHarmCode.DynamicSql);
      return has('sp_executesql') ? harm(SqlHarmCode.DynamicSql) : undefined;
  }
}

/** `PREPARE s AS <statement>` is the statement; `PREPARE s FROM '<sql>'` is the SQL in the string. */
function judgePrepare(tokens: readonly SqlToken[], text: string, end: number, ctx: SqlReadContext): Leading {
  const name = tokens[1]?.word ?? '';
  const as = tokens.findIndex((t, i) => i >= 2 && t.word === 'as');
  const body = tokens[as + 1];
  if (as >= 2 && body !== undefined && ctx.nested !== undefined) {
    ctx.prepared.add(name);
    return ctx.nested(text.slice(body.start, end)) ?? 'none';
  }
  const from = tokens[2]?.word === 'from' && tokens.length === 4 ? tokens[3] : undefined;
  if (from?.word === "'") {
    const harm = judgeCarried(from.body, ctx);
    if (harm === 'none') ctx.prepared.add(name);
    return harm;
  }
  return { kind: SqlHarmCode.DynamicSql };
}

/** EXECUTE of a name prepared in the same text runs that (judged) statement; any other is dynamic. */
function judgeExecute(tokens: readonly SqlToken[], ctx: SqlReadContext): Leading {
  const name = tokens[1]?.word;
  if (name === 'immediate') return judgeCarried(carriedString(tokens, [tokens[0]?.word ?? '', name]), ctx);
  if (name === "'") return judgeCarried(carriedString(tokens, [tokens[0]?.word ?? '']), ctx);
  if (name === '(' && tokens.length === 4 && tokens[3]?.word === ')')
    return judgeCarried(tokens[2]?.body, ctx);
  if (name !== undefined && ctx.prepared.has(name)) {
    const rest = tokens.slice(2);
    // Only arguments may follow: `EXECUTE s(3, 'x')`, never another statement's words.
    if (rest.length === 0 || (rest[0]?.word === '(' && rest[rest.length - 1]?.word === ')')) return 'none';
  }
  return tokens.length >= 2 ? { kind: SqlHarmCode.DynamicSql } : undefined;
}
