import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { GovernedError } from '../errors.js';

// Signed checkpoints of an audit chain: a C2SP tlog-checkpoint-style note (origin, size = head seq,
// head hash in hex, `time …` extension line) signed as a C2SP signed-note with Ed25519.
// The format, the key formats and the threat model: docs/audit-format.md, "Signed checkpoints".

/** Error codes of checkpoints and their keys. */
export const CheckpointCode = {
  /** The checkpoint text does not follow the format. */
  Malformed: 'checkpoint_malformed',
  /** No signature line is from the key given (another key signed it, or its name differs). */
  WrongKey: 'checkpoint_wrong_key',
  /** A signature line names the key but its signature does not verify: the text was changed. */
  BadSignature: 'checkpoint_bad_signature',
  /** A key text is not a valid key. */
  KeyMalformed: 'checkpoint_key_malformed',
  /** A key's stated key ID does not match its name and public key. */
  KeyIdMismatch: 'checkpoint_key_id_mismatch',
  /** A private key file is readable by group or others. */
  KeyUnprotected: 'checkpoint_key_unprotected',
  /** A key file does not exist. */
  KeyMissing: 'checkpoint_key_missing',
  /** The chain does not hold the checkpoint's record (cut below it, or rewritten). */
  ChainMismatch: 'checkpoint_chain_mismatch',
  /** The chain itself is broken. */
  ChainBroken: 'checkpoint_chain_broken',
} as const;

/** One of the checkpoint error codes. */
export type CheckpointCode = (typeof CheckpointCode)[keyof typeof CheckpointCode];

/** A signing key: its name, key ID (4 bytes) and Ed25519 seed and public key. */
export interface CheckpointSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A verifier key: name, key ID and Ed25519 public key. */
export interface CheckpointVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A parsed checkpoint. `body` is the signed text (through the newline before the blank line). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly hash: string;
  /** The `time` extension line's value, when present. */
  readonly time?: string;
  /** Every extension line, in order (including `time …`). */
  readonly extensions: readonly string[];
  readonly signatures: readonly {
    readonly name: string;
    readonly keyId: Uint8Array;
    readonly signature: Uint8Array;
  }[];
  readonly body: string;
}

/** The outcome of parsing or verifying: the checkpoint, or a code and a message. */
export type CheckpointResult =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly code: CheckpointCode; readonly message: string };

const ALG_ED25519 = 0x01;
const EM_DASH = '\u2014';
const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextEncoder();

/** A key name: non-empty, no whitespace, no `+` (signed-note's rule). */
function checkKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** signed-note key ID: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key). */
export function checkpointKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  const n = utf8.encode(`${name}\n`);
  const input = new Uint8Array(n.length + 1 + publicKey.length);
  input.set(n);
  input[n.length] = ALG_ED25519;
  input.set(publicKey, n.length + 1);
  return sha256(input).subarray(0, 4);
}

const keyError = (code: CheckpointCode, message: string): GovernedError => new GovernedError(code, message);

/** Splits `name+hexid+base64(alg‖key)` and checks the algorithm byte and the key ID. */
function splitKey(text: string, what: string): { name: string; keyId: Uint8Array; key: Uint8Array } {
  // The base64 part may itself hold '+': only the first two separate fields (as in signed-note).
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  const name = first < 0 ? undefined : text.slice(0, first);
  const hexId = second < 0 ? undefined : text.slice(first + 1, second);
  const b64 = second < 0 ? undefined : text.slice(second + 1);
  if (name === undefined || !checkKeyName(name))
    throw keyError(CheckpointCode.KeyMalformed, `not a ${what}: expected NAME+KEYID+BASE64`);
  if (hexId === undefined || !/^[0-9a-f]{8}$/.test(hexId))
    throw keyError(CheckpointCode.KeyMalformed, `not a ${what}: the key ID is not 8 hex digits`);
  const raw = fromBase64(b64 ?? '');
  if (raw === undefined || raw.length !== 33 || raw[0] !== ALG_ED25519)
    throw keyError(CheckpointCode.KeyMalformed, `not a ${what}: expected base64 of 0x01 and 32 key bytes`);
  return {
    name,
    keyId: Uint8Array.from(hexId.match(/../g)!, (h) => Number.parseInt(h, 16)),
    key: raw.subarray(1),
  };
}

/** Parses a verifier key `name+hexkeyid+base64(0x01‖pub)`. Throws a GovernedError with a CheckpointCode. */
export function parseVerifierKey(text: string): CheckpointVerifier {
  const trimmed = text.trim();
  if (trimmed.startsWith('PRIVATE+KEY+'))
    throw keyError(CheckpointCode.KeyMalformed, 'this is a private key; give the public (.pub) key');
  const { name, keyId, key } = splitKey(trimmed, 'verifier key');
  if (!sameBytes(keyId, checkpointKeyId(name, key)))
    throw keyError(CheckpointCode.KeyIdMismatch, `verifier key ${name}: key ID does not match name and key`);
  return { name, keyId, publicKey: key };
}

/** Parses a private key `PRIVATE+KEY+name+hexkeyid+base64(0x01‖seed)`. Throws with a CheckpointCode. */
export function parseSignerKey(text: string): CheckpointSigner {
  const trimmed = text.trim();
  if (!trimmed.startsWith('PRIVATE+KEY+'))
    throw keyError(CheckpointCode.KeyMalformed, 'not a private key: expected PRIVATE+KEY+NAME+KEYID+BASE64');
  const { name, keyId, key: seed } = splitKey(trimmed.slice('PRIVATE+KEY+'.length), 'private key');
  const publicKey = ed25519.getPublicKey(seed);
  if (!sameBytes(keyId, checkpointKeyId(name, publicKey)))
    throw keyError(CheckpointCode.KeyIdMismatch, `private key ${name}: key ID does not match name and key`);
  return { name, keyId, seed, publicKey };
}

/** Formats a verifier key (the text of a `.pub` file, without newline). */
export function formatVerifierKey(key: CheckpointVerifier): string {
  return `${key.name}+${toHex(key.keyId)}+${toBase64(new Uint8Array([ALG_ED25519, ...key.publicKey]))}`;
}

/**
 * Generates a key pair named `name`: `{ privateKey, publicKey }` as texts (see parseSignerKey and
 * parseVerifierKey). Throws `checkpoint_key_malformed` for a name with whitespace or `+`.
 */
export function generateCheckpointKey(name: string): { privateKey: string; publicKey: string } {
  if (!checkKeyName(name))
    throw keyError(CheckpointCode.KeyMalformed, 'a key name must be non-empty, without spaces or "+"');
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(seed);
  const keyId = checkpointKeyId(name, publicKey);
  const privateKey = `PRIVATE+KEY+${name}+${toHex(keyId)}+${toBase64(new Uint8Array([ALG_ED25519, ...seed]))}`;
  return { privateKey, publicKey: formatVerifierKey({ name, keyId, publicKey }) };
}

/** Options of makeCheckpoint. */
export interface MakeCheckpointOptions {
  /** Names the log (first line): unique per log, no newline. */
  readonly origin: string;
  /** Time of the checkpoint (default now), written as `time <ISO-8601>`. */
  readonly time?: Date;
}

/** Signs a checkpoint of the chain whose head record is `head`; returns its text. */
export function makeCheckpoint(
  head: { readonly seq: number; readonly hash: string },
  key: CheckpointSigner | string,
  options: MakeCheckpointOptions,
): string {
  const signer = typeof key === 'string' ? parseSignerKey(key) : key;
  if (
    options.origin.length === 0 ||
    /[\r\n]/.test(options.origin) ||
    options.origin.trim() !== options.origin
  )
    throw new GovernedError(
      CheckpointCode.Malformed,
      'the origin must be one non-empty line without edge spaces',
    );
  if (!Number.isSafeInteger(head.seq) || head.seq < 1 || !HEX64.test(head.hash))
    throw new GovernedError(CheckpointCode.Malformed, 'the head must have seq >= 1 and a 64-digit hex hash');
  const time = (options.time ?? new Date()).toISOString();
  const body = `${options.origin}\n${head.seq}\n${head.hash}\ntime ${time}\n`;
  const signature = ed25519.sign(utf8.encode(body), signer.seed);
  const blob = new Uint8Array([...signer.keyId, ...signature]);
  return `${body}\n${EM_DASH} ${signer.name} ${toBase64(blob)}\n`;
}

const malformed = (message: string): CheckpointResult => ({
  ok: false,
  code: CheckpointCode.Malformed,
  message,
});

/** Parses a checkpoint's text without checking any signature. */
export function parseCheckpoint(text: string): CheckpointResult {
  const split = text.indexOf('\n\n');
  if (split < 0) return malformed('no blank line between the checkpoint and its signatures');
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, hash, ...extensions] = lines;
  if (origin === undefined || origin.length === 0) return malformed('the origin line is empty');
  if (sizeText === undefined || !DECIMAL.test(sizeText) || Number(sizeText) < 1)
    return malformed('the second line is not a record count (a positive decimal number)');
  if (hash === undefined || !HEX64.test(hash)) return malformed('the third line is not a 64-digit hex hash');
  if (extensions.some((l) => l.length === 0)) return malformed('an empty extension line');
  if (/[\r\u0000]/.test(body)) return malformed('carriage return or NUL in the checkpoint');
  const timeLine = extensions.find((l) => l.startsWith('time '));
  const time = timeLine?.slice(5);
  if (time !== undefined && Number.isNaN(Date.parse(time))) return malformed('the time line is not a date');
  const sigText = text.slice(split + 2);
  if (!sigText.endsWith('\n')) return malformed('the signature lines do not end with a newline');
  const signatures: { name: string; keyId: Uint8Array; signature: Uint8Array }[] = [];
  for (const line of sigText.slice(0, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    const blob = m === null ? undefined : fromBase64(m[2]!);
    if (m === null || blob === undefined || blob.length < 5 || !checkKeyName(m[1]!))
      return malformed(`not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
    signatures.push({ name: m[1]!, keyId: blob.subarray(0, 4), signature: blob.subarray(4) });
  }
  if (signatures.length === 0) return malformed('no signature lines');
  const checkpoint: Checkpoint = {
    origin,
    size: Number(sizeText),
    hash,
    ...(time === undefined ? {} : { time }),
    extensions,
    signatures,
    body,
  };
  return { ok: true, checkpoint };
}

/**
 * Parses `text` and checks that it carries a valid signature by `publicKey` (a verifier key text or
 * parsed key). Fails with `checkpoint_malformed`, `checkpoint_wrong_key` (no signature line by that
 * key: name and key ID differ) or `checkpoint_bad_signature` (the key's signature does not cover the text).
 * Throws only for a malformed verifier key.
 */
export function verifyCheckpoint(text: string, publicKey: CheckpointVerifier | string): CheckpointResult {
  const key = typeof publicKey === 'string' ? parseVerifierKey(publicKey) : publicKey;
  const parsed = parseCheckpoint(text);
  if (!parsed.ok) return parsed;
  const mine = parsed.checkpoint.signatures.filter(
    (s) => s.name === key.name && sameBytes(s.keyId, key.keyId),
  );
  if (mine.length === 0) {
    const names = parsed.checkpoint.signatures.map((s) => `${s.name}+${toHex(s.keyId)}`).join(', ');
    return {
      ok: false,
      code: CheckpointCode.WrongKey,
      message: `no signature by key ${key.name}+${toHex(key.keyId)} (signed by ${names})`,
    };
  }
  const message = utf8.encode(parsed.checkpoint.body);
  for (const s of mine) {
    let valid = false;
    try {
      valid = s.signature.length === 64 && ed25519.verify(s.signature, message, key.publicKey);
    } catch {
      valid = false;
    }
    if (valid) return parsed;
  }
  return {
    ok: false,
    code: CheckpointCode.BadSignature,
    message: `the signature of key ${key.name} does not verify: the checkpoint was changed after signing`,
  };
}
