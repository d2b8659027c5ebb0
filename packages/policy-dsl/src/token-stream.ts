import type { Span } from './ast.js';
import {
  type PolicyErrorCode as Code,
  diagnostic,
  type PolicyDiagnostic,
  PolicyErrorCode,
} from './diagnostics.js';
import type { Token, TokenKind } from './lexer.js';

/** A cursor over tokens that records parse errors with their spans. */
export class TokenStream {
  readonly errors: PolicyDiagnostic[] = [];
  #tokens: readonly Token[];
  #pos = 0;
  #last: Token | undefined;
  readonly file: string;
  readonly source: string;

  constructor(tokens: readonly Token[], file: string, source: string) {
    this.#tokens = tokens;
    this.file = file;
    this.source = source;
  }

  /** The current token (the eof token once past the end). */
  peek(): Token {
    return this.#tokens[Math.min(this.#pos, this.#tokens.length - 1)]!;
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.#pos++;
    this.#last = t;
    return t;
  }

  at(kind: TokenKind): boolean {
    return this.peek().kind === kind;
  }

  peekWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word;
  }

  peekPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  skipNewlines(): void {
    while (this.at('newline')) this.next();
  }

  /** The span from `start` to the end of the last consumed token (one line at most). */
  spanFrom(start: Token): Span {
    const end = this.#last ?? start;
    if (end.span.line !== start.span.line) return start.span;
    return {
      ...start.span,
      length: Math.max(start.span.length, end.span.col + end.span.length - start.span.col),
    };
  }

  /** A short description of a token for messages. */
  describe(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return 'the end of the file';
      case 'newline':
        return 'the end of the line';
      case 'string':
        return `"${t.text}"`;
      case 'regex':
        return `/${t.text}/`;
      default:
        return `'${t.text}'`;
    }
  }

  error(at: Token | Span, code: Code, message: string): void {
    const span = 'span' in at ? at.span : at;
    this.errors.push(diagnostic(this.file, this.source, span, code, message));
  }

  /** Requires the end of the line; reports anything else left on it. */
  endOfLine(): boolean {
    const t = this.peek();
    if (t.kind === 'newline' || t.kind === 'eof') return true;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected the end of the line, found ${this.describe(t)}`);
    return false;
  }

  expectWord(word: string): boolean {
    const t = this.next();
    if (t.kind === 'ident' && t.text === word) return true;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected '${word}', found ${this.describe(t)}`);
    return false;
  }

  expectPunct(p: string): boolean {
    const t = this.next();
    if (t.kind === 'punct' && t.text === p) return true;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected '${p}', found ${this.describe(t)}`);
    return false;
  }

  expectIdent(what: string): Token | undefined {
    const t = this.next();
    if (t.kind === 'ident') return t;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected ${what}, found ${this.describe(t)}`);
    return undefined;
  }

  expectString(what: string): Token | undefined {
    const t = this.next();
    if (t.kind === 'string') return t;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected ${what}, found ${this.describe(t)}`);
    return undefined;
  }

  expectNumber(what: string): number | undefined {
    const t = this.next();
    const n = t.kind === 'number' ? Number(t.text) : Number.NaN;
    if (Number.isFinite(n)) return n;
    this.error(t, PolicyErrorCode.UnexpectedToken, `expected ${what}, found ${this.describe(t)}`);
    return undefined;
  }

  /** A quoted sentence that may continue on following lines that start with another quoted string. */
  expectText(what: string): string | undefined {
    const first = this.expectString(what);
    if (first === undefined) return undefined;
    let text = first.text;
    while (this.at('newline') && this.#tokens[this.#pos + 1]?.kind === 'string') {
      this.next();
      text += ` ${this.next().text}`;
    }
    return text;
  }

  /** After an error: skip the rest of the line. */
  recoverLine(): void {
    while (!this.at('newline') && !this.at('eof')) this.next();
  }

  /** After an error in a statement: skip to the next line that starts a statement. */
  recover(): void {
    const starts = new Set(['default', 'include', 'principle', 'tier', 'tool', 'allow', 'deny']);
    this.recoverLine();
    while (!this.at('eof')) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'ident' && starts.has(t.text) && t.span.col === 1) return;
      if (t.kind === 'ident' && t.text === 'end') {
        this.next();
        this.recoverLine();
        return;
      }
      this.recoverLine();
    }
  }
}
