import { GENESIS_HASH } from './hash.js';
import { checkRecordLine, type LineCheck } from './record.js';

/** Why a chain is not intact, by the first record that breaks it. */
export type BreakReason =
  /** Not a record: unparsable, missing fields, or a blank line inside the file. */
  | 'malformed'
  /** The record's content does not match its own hash: it was modified. */
  | 'hash_mismatch'
  /** seq jumped ahead: records before this one were deleted, or records were reordered. */
  | 'seq_gap'
  /** seq repeated or went back: a record was duplicated, replayed or moved. */
  | 'seq_repeat'
  /** seq is right but `prev` is not the previous record's hash: a record was inserted or replaced. */
  | 'prev_mismatch'
  /** `--expect-head` names a hash that no record in the file has: the tail was cut or the file replaced. */
  | 'head_missing';

/** The outcome of verifying a chain. */
export interface VerifyReport {
  readonly ok: boolean;
  /** Valid records before the first break (all of them when ok). */
  readonly records: number;
  /** Hash of the last valid record (GENESIS_HASH for an empty chain). */
  readonly head: string;
  readonly firstTs?: string;
  readonly lastTs?: string;
  readonly firstBad?: {
    readonly seq: number;
    readonly line: number;
    readonly reason: BreakReason;
    readonly detail: string;
  };
  /** A final line without its newline: a write cut short by a crash, not tampering. It is not counted. */
  readonly tornTail?: { readonly line: number; readonly bytes: number };
  /** Where the expected head was found, when one was given. */
  readonly expectedHead?: { readonly hash: string; readonly seq?: number };
}

/** What the chain walk needs of a checked line: its link fields, or why it is not a record. */
export type LinkCheck =
  | {
      readonly ok: true;
      readonly seq: number;
      readonly prev: string;
      readonly hash: string;
      readonly ts: string;
    }
  | Extract<LineCheck, { ok: false }>;

/** The link fields of a line check (small enough to pass between threads). */
export function linkOf(check: LineCheck): LinkCheck {
  if (!check.ok) return check;
  const { seq, prev, hash, ts } = check.record;
  return { ok: true, seq, prev, hash, ts };
}

/** Checks records line by line in constant memory. Feed lines in order, then call finish(). */
export class ChainVerifier {
  #records = 0;
  #head = GENESIS_HASH;
  #firstTs: string | undefined;
  #lastTs: string | undefined;
  #firstBad: VerifyReport['firstBad'];
  readonly #expectHead: string | undefined;
  #expectSeq: number | undefined;

  constructor(options: { expectHead?: string } = {}) {
    this.#expectHead = options.expectHead?.toLowerCase();
  }

  /** True while the chain is intact so far. */
  get intact(): boolean {
    return this.#firstBad === undefined;
  }

  /** Checks the next line (1-based `lineNo`). Returns false once the chain is broken. */
  push(line: string, lineNo: number): boolean {
    return this.pushChecked(linkOf(checkRecordLine(line)), lineNo);
  }

  /** Follows the link of a line already checked on its own (by `linkOf(checkRecordLine(line))`). */
  pushChecked(check: LinkCheck, lineNo: number): boolean {
    if (this.#firstBad !== undefined) return false;
    const expected = this.#records + 1;
    if (!check.ok) return this.#break(check.seq ?? expected, lineNo, check.problem, check.detail);
    const r = check;
    if (r.seq > expected) {
      return this.#break(
        r.seq,
        lineNo,
        'seq_gap',
        `expected seq ${expected}, found ${r.seq}: records deleted or reordered`,
      );
    }
    if (r.seq < expected) {
      return this.#break(
        r.seq,
        lineNo,
        'seq_repeat',
        `expected seq ${expected}, found ${r.seq}: a record duplicated or moved`,
      );
    }
    if (r.prev !== this.#head) {
      return this.#break(
        r.seq,
        lineNo,
        'prev_mismatch',
        'prev does not match the previous record: inserted or replaced',
      );
    }
    this.#records = r.seq;
    this.#head = r.hash;
    this.#firstTs ??= r.ts;
    this.#lastTs = r.ts;
    if (this.#expectHead !== undefined && r.hash === this.#expectHead) this.#expectSeq = r.seq;
    return true;
  }

  #break(seq: number, line: number, reason: BreakReason, detail: string): false {
    this.#firstBad = { seq, line, reason, detail };
    return false;
  }

  /** The report. `tornTail` describes a final line that lacked its newline. */
  finish(tornTail?: { line: number; bytes: number }): VerifyReport {
    let firstBad = this.#firstBad;
    if (firstBad === undefined && this.#expectHead !== undefined && this.#expectSeq === undefined) {
      firstBad = {
        seq: this.#records + 1,
        line: this.#records + 1,
        reason: 'head_missing',
        detail: `no record has the expected head ${this.#expectHead}: the tail was truncated or the file replaced`,
      };
    }
    return {
      ok: firstBad === undefined,
      records: this.#records,
      head: this.#head,
      ...(this.#firstTs === undefined ? {} : { firstTs: this.#firstTs }),
      ...(this.#lastTs === undefined ? {} : { lastTs: this.#lastTs }),
      ...(firstBad === undefined ? {} : { firstBad }),
      ...(tornTail === undefined ? {} : { tornTail }),
      ...(this.#expectHead === undefined
        ? {}
        : {
            expectedHead: {
              hash: this.#expectHead,
              ...(this.#expectSeq === undefined ? {} : { seq: this.#expectSeq }),
            },
          }),
    };
  }
}
