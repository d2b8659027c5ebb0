import type { JsonObject } from '../json.js';
import { canonicalJson } from './canonical.js';
import { blake3Hex } from './hash.js';

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

/** Why a line is not a valid record on its own. */
export type LineProblem = 'malformed' | 'hash_mismatch';

/** The result of checking one line on its own (chain links are checked by the verifier). */
export type LineCheck =
  | { readonly ok: true; readonly record: AuditRecord }
  | { readonly ok: false; readonly problem: LineProblem; readonly detail: string; readonly seq?: number };

/** Parses one line and checks that its hash covers its content. */
export function checkRecordLine(line: string): LineCheck {
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
  const actual = blake3Hex(`${line.slice(0, -SUFFIX_LENGTH)}}`);
  if (actual !== r.hash) {
    return { ok: false, problem: 'hash_mismatch', detail: 'content does not match its hash (modified)', seq };
  }
  return { ok: true, record: r as AuditRecord };
}
