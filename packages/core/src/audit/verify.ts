import { GENESIS_HASH } from './hash.js';
import { checkRecordBytes, checkRecordLine, type LineCheck } from './record.js';

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

/**
 * What checking a run of consecutive lines found on its own: each line's hash, and the links between
 * neighbours. Only the first line's link to what came before is left to the chain walk.
 */
export interface SegmentCheck {
  /** Lines at the start that are valid and linked to each other. */
  readonly linked: number;
  /** The first of them, and the last (they are the same line when `linked` is 1). */
  readonly first?: Extract<LinkCheck, { ok: true }>;
  readonly last?: Extract<LinkCheck, { ok: true }>;
  /** The seq of the last linked record whose hash is the expected head. */
  readonly expectSeq?: number;
  /** The line after them, which is not valid on its own or does not link to the one before it. */
  readonly stop?: LinkCheck;
}

/**
 * Checks the complete lines of `buf` (each ends in a newline; lines are hashed as the bytes they are):
 * the work a verifier can spread over threads, leaving only one link per segment to the chain walk.
 */
export function checkSegment(buf: Uint8Array, expectHead?: string): SegmentCheck {
  let linked = 0;
  let first: Extract<LinkCheck, { ok: true }> | undefined;
  let last: Extract<LinkCheck, { ok: true }> | undefined;
  let expectSeq: number | undefined;
  let start = 0;
  let nl = buf.indexOf(0x0a, start);
  while (nl >= 0) {
    const check = linkOf(checkRecordBytes(buf.subarray(start, nl)));
    if (!check.ok || (last !== undefined && (check.seq !== last.seq + 1 || check.prev !== last.hash))) {
      return {
        linked,
        ...(first && last ? { first, last } : {}),
        ...(expectSeq === undefined ? {} : { expectSeq }),
        stop: check,
      };
    }
    linked++;
    first ??= check;
    last = check;
    if (expectHead !== undefined && check.hash === expectHead) expectSeq = check.seq;
    start = nl + 1;
    nl = buf.indexOf(0x0a, start);
  }
  return {
    linked,
    ...(first && last ? { first, last } : {}),
    ...(expectSeq === undefined ? {} : { expectSeq }),
  };
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

  /**
   * Follows a segment checked by `checkSegment` whose first line is line `lineNo`. Returns false once the
   * chain is broken; the lines it consumed are `linked` (plus the `stop` line, which breaks it).
   */
  pushSegment(segment: SegmentCheck, lineNo: number): boolean {
    if (segment.first !== undefined && segment.last !== undefined) {
      if (!this.pushChecked(segment.first, lineNo)) return false;
      // The rest of the run links up by construction: the walk jumps to its end.
      if (segment.linked > 1) {
        this.#records = segment.last.seq;
        this.#head = segment.last.hash;
        this.#lastTs = segment.last.ts;
      }
      if (segment.expectSeq !== undefined && this.#expectHead !== undefined)
        this.#expectSeq = segment.expectSeq;
    }
    if (segment.stop !== undefined) return this.pushChecked(segment.stop, lineNo + segment.linked);
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
