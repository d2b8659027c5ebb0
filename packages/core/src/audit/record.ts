import type { JsonObject } from '../json.js';
import { canonicalJson } from './canonical.js';
import { blake3Hex, blake3HexOfParts } from './hash.js';

/**
 * One audit record. On disk it is one line: the canonical JSON of every field but `hash`, with
 * `,"hash":"<64 hex>"` inserted before the closing brace. `hash` is Blake3-256 over the UTF-8 bytes of
 * that canonical JSON, so a verifier strips the last 75 characters, appends `}`, and hashes; `prev` links
 * each record to the one before it (64 zeros for the first).
 */
export interface AuditRecord {
  readonly v: 1;
  /** 1 for the first record, then +1 each. */
  readonly seq: number;
  /** ISO-8601 UTC time of the append, millisecond precision. */
  readonly ts: string;
  /** What the record says: `decision`, `outcome`, `chain.start`, `chain.resumed`, or a user type. */
  readonly type: string;
  readonly prev: string;
  readonly data: JsonObject;
  readonly hash: string;
}

/** The fields of a record before it is hashed. `data` may hold deferred digests. */
export interface RecordFields {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly prev: string;
  readonly data: object;
}

const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const SUFFIX = /^,"hash":"([0-9a-f]{64})"\}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Serializes and hashes a record. Never throws: values that are not JSON are written as markers. */
export function serializeRecord(fields: RecordFields): { line: string; hash: string } {
  const body = canonicalJson(
    { data: fields.data, prev: fields.prev, seq: fields.seq, ts: fields.ts, type: fields.type, v: 1 },
    { lenient: true },
  );
  const hash = blake3Hex(body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

const utf8 = new TextEncoder();
const HASH_PREFIX = utf8.encode(',"hash":"');
const HASH_END = utf8.encode('"}\n');
/** Keep a batch buffer up to this size between batches; a larger one is let go. */
const KEEP_BYTES = 1 << 20;

/**
 * Serializes records one after another into one UTF-8 buffer, each line encoded once and hashed from
 * the bytes it is written as: the chain's batch, ready for one write. Lines are exactly
 * `serializeRecord(fields).line` followed by a newline.
 */
export class BatchWriter {
  #buf = new Uint8Array(64 * 1024);
  #end = 0;

  /** Starts an empty batch (the previous batch's bytes may be overwritten from now on). */
  reset(): void {
    if (this.#buf.length > KEEP_BYTES) this.#buf = new Uint8Array(64 * 1024);
    this.#end = 0;
  }

  /** Adds one record; returns its hash. Never throws: values that are not JSON are written as markers. */
  add(fields: RecordFields): string {
    const body = canonicalJson(
      { data: fields.data, prev: fields.prev, seq: fields.seq, ts: fields.ts, type: fields.type, v: 1 },
      { lenient: true },
    );
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; the suffix is ASCII.
    this.#reserve(body.length * 3 + HASH_PREFIX.length + 64 + HASH_END.length);
    const start = this.#end;
    const { written } = utf8.encodeInto(body, this.#buf.subarray(start));
    const hash = blake3Hex(this.#buf.subarray(start, start + written));
    // The body's closing brace gives way to the hash member.
    let at = start + written - 1;
    this.#buf.set(HASH_PREFIX, at);
    at += HASH_PREFIX.length;
    for (let i = 0; i < 64; i++) this.#buf[at + i] = hash.charCodeAt(i);
    at += 64;
    this.#buf.set(HASH_END, at);
    this.#end = at + HASH_END.length;
    return hash;
  }

  /** The batch so far, as bytes (a view, valid until the next reset). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#end);
  }

  /** The batch so far, as text. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  #reserve(bytes: number): void {
    if (this.#end + bytes <= this.#buf.length) return;
    const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#end + bytes));
    grown.set(this.#buf.subarray(0, this.#end));
    this.#buf = grown;
  }
}

/** Why a line is not a valid record on its own. */
export type LineProblem = 'malformed' | 'hash_mismatch';

/** The result of checking one line on its own (chain links are checked by the verifier). */
export type LineCheck =
  | { readonly ok: true; readonly record: AuditRecord }
  | { readonly ok: false; readonly problem: LineProblem; readonly detail: string; readonly seq?: number };

/** Parses one line and checks that its hash covers its content. */
export function checkRecordLine(line: string): LineCheck {
  return checkParsed(line, () => blake3Hex(`${line.slice(0, -SUFFIX_LENGTH)}}`));
}

const CLOSE = new Uint8Array([0x7d]);

/**
 * The same check on one line's UTF-8 bytes (without its newline): the hash is computed over the bytes
 * as they are in the file, so a change that decodes to the same text (an invalid byte for U+FFFD, say)
 * is still caught.
 */
export function checkRecordBytes(bytes: Uint8Array): LineCheck {
  const line = utf8Decoder.decode(bytes);
  return checkParsed(line, () => blake3HexOfParts([bytes.subarray(0, bytes.length - SUFFIX_LENGTH), CLOSE]));
}

const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function checkParsed(line: string, hashOfBody: () => string): LineCheck {
  const suffix = SUFFIX.exec(line.slice(-SUFFIX_LENGTH));
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'malformed', detail: 'not JSON' };
  }
  const r = parsed as Partial<AuditRecord> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    return { ok: false, problem: 'malformed', detail: 'not a JSON object' };
  }
  const seq = Number.isSafeInteger(r.seq) && (r.seq as number) > 0 ? (r.seq as number) : undefined;
  const bad = (detail: string): LineCheck =>
    seq === undefined
      ? { ok: false, problem: 'malformed', detail }
      : { ok: false, problem: 'malformed', detail, seq };
  if (suffix === null) return bad('the line does not end with the hash member');
  if (r.v !== 1) return bad(`unsupported record version ${JSON.stringify(r.v)}`);
  if (seq === undefined) return bad('seq is not a positive integer');
  if (typeof r.ts !== 'string' || typeof r.type !== 'string') return bad('ts and type must be strings');
  if (typeof r.prev !== 'string' || !HEX64.test(r.prev)) return bad('prev is not a 64-digit hex hash');
  if (typeof r.data !== 'object' || r.data === null || Array.isArray(r.data))
    return bad('data is not an object');
  if (r.hash !== suffix[1]) return bad('the hash member is not the last member');
  if (hashOfBody() !== r.hash) {
    return { ok: false, problem: 'hash_mismatch', detail: 'content does not match its hash (modified)', seq };
  }
  return { ok: true, record: r as AuditRecord };
}
