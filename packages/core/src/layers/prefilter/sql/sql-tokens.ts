/** One token of SQL text: a lower-case word or punctuation mark, `'` for a string, `ident` for a quoted name. */
export interface SqlToken {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  /** A string literal's content (quotes removed), for SQL carried in a string. */
  readonly body?: string;
}

/** One statement of SQL text: its tokens and its span (first token's start to last token's end). */
export interface TokenStatement {
  readonly tokens: readonly SqlToken[];
  readonly start: number;
  readonly end: number;
}

const WORD = /[a-z_][a-z0-9_$]*|[0-9.]+|\S/y;
const DOLLAR_QUOTE = /\$(?:[a-z_][a-z0-9_]*)?\$/y;

/**
 * The statements of `text`: split on `;` (and on newlines that start a dot command) outside quotes
 * and comments. Comments are removed; with `joinComments` a comment joins the words around it
 * (`DR/**\/OP` reads `drop`, as some readers do), otherwise it separates them, as servers do.
 * With `backslashEscapes` (MySQL) a backslash escapes the next character inside quotes; without
 * (standard SQL, PostgreSQL) it is an ordinary character, and `'a\'` is a whole string.
 */
export function statementsOf(text: string, joinComments = false, backslashEscapes = true): TokenStatement[] {
  const lower = text.toLowerCase();
  const out: TokenStatement[] = [];
  let tokens: SqlToken[] = [];
  let word = '';
  let wordStart = -1;
  const flushWord = (): void => {
    WORD.lastIndex = 0;
    for (let m = WORD.exec(word); m !== null; m = WORD.exec(word))
      tokens.push({ word: m[0], start: wordStart + m.index, end: wordStart + m.index + m[0].length });
    word = '';
  };
  const flush = (): void => {
    flushWord();
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    if (first !== undefined && last !== undefined) out.push({ tokens, start: first.start, end: last.end });
    tokens = [];
  };
  let i = 0;
  while (i < lower.length) {
    const ch = lower[i] as string;
    const next = lower[i + 1];
    if (ch === '/' && next === '*') {
      const close = lower.indexOf('*/', i + 2);
      if (!joinComments) flushWord();
      i = close < 0 ? lower.length : close + 2;
      continue;
    }
    if ((ch === '-' && next === '-') || ch === '#') {
      const nl = lower.indexOf('\n', i);
      flushWord();
      i = nl < 0 ? lower.length : nl;
      continue;
    }
    DOLLAR_QUOTE.lastIndex = i;
    const dollar = ch === '$' ? DOLLAR_QUOTE.exec(lower)?.[0] : undefined;
    if (ch === "'" || ch === '"' || ch === '`' || dollar !== undefined) {
      const quote = dollar ?? ch;
      let j = i + quote.length;
      for (; j < lower.length; j++) {
        if (lower[j] === '\\' && backslashEscapes && dollar === undefined) j++;
        else if (lower.startsWith(quote, j)) break;
      }
      flushWord();
      const end = Math.min(lower.length, j + quote.length);
      const body = text.slice(i + quote.length, Math.min(j, lower.length));
      tokens.push({ word: ch === '`' || ch === '"' ? 'ident' : "'", start: i, end, body });
      i = end;
      continue;
    }
    if (ch === ';') {
      flush();
      i++;
      continue;
    }
    if (ch === '\n' && next === '.') flush();
    if (/\s/.test(ch)) {
      flushWord();
    } else {
      if (word.length === 0) wordStart = i;
      word += ch;
    }
    i++;
  }
  flush();
  return out;
}
