import type { Span } from './ast.js';
import { diagnostic, type PolicyDiagnostic, PolicyErrorCode } from './diagnostics.js';

/** The kinds of token the policy language has. */
export type TokenKind = 'ident' | 'string' | 'number' | 'regex' | 'punct' | 'newline' | 'eof';

/** One token with its span. `text` is the decoded value (a string without quotes, a regex source). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Regex flags, for `regex` tokens. */
  readonly flags?: string;
  readonly span: Span;
}

const PUNCT2 = ['==', '!=', '<=', '>='] as const;
const PUNCT1 = '()[],./<>';
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isWordStart = (c: number): boolean => isLower(c) || (c >= 65 && c <= 90) || c === 95;
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c) || c === 45;

/**
 * Splits a policy source into tokens. Comments run from `#` to the end of the line; line breaks are
 * tokens except inside parentheses and brackets and before a line that starts with `and` or `or`,
 * so a long condition can span lines. A `/`
 * right after the word `matches` opens a regular expression literal (`/…/flags`).
 */
export function tokenize(source: string, file: string): { tokens: Token[]; errors: PolicyDiagnostic[] } {
  const tokens: Token[] = [];
  const errors: PolicyDiagnostic[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const span = (start: number, length: number): Span => ({ line, col: start - lineStart + 1, length });
  const push = (kind: TokenKind, text: string, start: number, end: number, flags?: string): void => {
    const s = span(start, end - start);
    tokens.push(flags === undefined ? { kind, text, span: s } : { kind, text, flags, span: s });
  };
  const fail = (start: number, length: number, code: PolicyErrorCode, message: string): void => {
    errors.push(diagnostic(file, source, span(start, length), code, message));
  };

  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n' || c === '\r') {
      if (depth === 0 && tokens.length > 0 && tokens[tokens.length - 1]!.kind !== 'newline') {
        push('newline', '\n', i, i + 1);
      }
      i += c === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      let text = '';
      i++;
      let closed = false;
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') {
        const d = source[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\') {
          const e = source[i + 1] ?? '';
          // A backslash at the end of the line escapes nothing; the string is then unterminated.
          if (e === '\n' || e === '\r' || e === '') {
            i++;
            continue;
          }
          const decoded = ESCAPES[e];
          if (decoded === undefined) {
            fail(i, 2, PolicyErrorCode.InvalidEscape, `unknown escape '\\${e}' in string`);
            i += 2;
            continue;
          }
          text += decoded;
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      if (!closed)
        fail(start, i - start, PolicyErrorCode.UnterminatedLiteral, 'string is not closed by " on this line');
      push('string', text, start, i);
      continue;
    }
    const prev = tokens[tokens.length - 1];
    if (c === '/' && prev?.kind === 'ident' && prev.text === 'matches') {
      let body = '';
      i++;
      let closed = false;
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') {
        const d = source[i]!;
        if (d === '/') {
          closed = true;
          i++;
          break;
        }
        // `\/` is a literal slash; every other escape is passed to RE2 untouched.
        if (d === '\\' && source[i + 1] === '/') {
          body += '/';
          i += 2;
          continue;
        }
        if (d === '\\' && i + 1 < source.length && source[i + 1] !== '\n' && source[i + 1] !== '\r') {
          body += d + source[i + 1];
          i += 2;
          continue;
        }
        body += d;
        i++;
      }
      if (!closed) {
        fail(
          start,
          i - start,
          PolicyErrorCode.UnterminatedLiteral,
          'regular expression is not closed by / on this line',
        );
      }
      const flagStart = i;
      while (i < source.length && isLower(source.charCodeAt(i))) i++;
      push('regex', body, start, i, source.slice(flagStart, i));
      continue;
    }
    if (isDigit(c.charCodeAt(0)) || (c === '-' && isDigit(source.charCodeAt(i + 1)))) {
      i++;
      while (i < source.length && (isDigit(source.charCodeAt(i)) || source[i] === '_')) i++;
      if (source[i] === '.' && isDigit(source.charCodeAt(i + 1))) {
        i++;
        while (i < source.length && (isDigit(source.charCodeAt(i)) || source[i] === '_')) i++;
      }
      push('number', source.slice(start, i).replaceAll('_', ''), start, i);
      continue;
    }
    if (isWordStart(c.charCodeAt(0))) {
      i++;
      while (i < source.length && isWordPart(source.charCodeAt(i))) i++;
      push('ident', source.slice(start, i), start, i);
      continue;
    }
    const two = source.slice(i, i + 2);
    if ((PUNCT2 as readonly string[]).includes(two)) {
      i += 2;
      push('punct', two, start, i);
      continue;
    }
    if (PUNCT1.includes(c)) {
      if (c === '(' || c === '[') depth++;
      if ((c === ')' || c === ']') && depth > 0) depth--;
      i++;
      push('punct', c, start, i);
      continue;
    }
    const cp = source.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    fail(
      start,
      1,
      PolicyErrorCode.UnexpectedCharacter,
      `unexpected character '${ch}' (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`,
    );
    i += ch.length;
  }
  if (tokens.length > 0 && tokens[tokens.length - 1]!.kind !== 'newline') push('newline', '\n', i, i);
  tokens.push({ kind: 'eof', text: '', span: span(i, 0) });
  // A line that starts with `and` or `or` continues the condition of the line before.
  const joined = tokens.filter((t, k) => {
    const after = tokens[k + 1];
    return !(
      t.kind === 'newline' &&
      after?.kind === 'ident' &&
      (after.text === 'and' || after.text === 'or')
    );
  });
  return { tokens: joined, errors };
}
