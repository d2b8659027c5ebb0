import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type CanonicalOptions, type CanonicalValue, canonicalJson } from './canonical.js';

const encoder = new TextEncoder();

/** The `prev` of the first record of a chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Blake3-256 of the UTF-8 bytes of `text` (or of raw bytes), as lowercase hex. */
export function blake3Hex(text: string | Uint8Array): string {
  return bytesToHex(blake3(typeof text === 'string' ? encoder.encode(text) : text));
}

/**
 * A digest of a value that is computed when the record holding it is serialized, off the call's path:
 * `"blake3:<hex>"` of the value's canonical JSON, or `"unserializable:<why>"`.
 */
export class DeferredDigest implements CanonicalValue {
  readonly #value: unknown;

  constructor(value: unknown) {
    this.#value = value;
  }

  toCanonical(_options: CanonicalOptions): string {
    let text: string;
    try {
      text = canonicalJson(this.#value);
    } catch (err) {
      return JSON.stringify(`unserializable:${err instanceof Error ? err.message : String(err)}`);
    }
    return JSON.stringify(`blake3:${blake3Hex(text)}`);
  }
}

/** A digest of `value`, computed at serialization time. */
export function digestOf(value: unknown): DeferredDigest {
  return new DeferredDigest(value);
}
