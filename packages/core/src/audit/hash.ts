import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type CanonicalOptions, type CanonicalValue, canonicalJson } from './canonical.js';

const encoder = new TextEncoder();

/** The `prev` of the first record of a chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The part of hash-wasm's hasher the chain uses: synchronous once created. */
interface WasmHasher {
  init(): unknown;
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

/**
 * Blake3 in WebAssembly (hash-wasm's single-algorithm build: ~20 KB, loaded in a few milliseconds),
 * 8–20× faster than the portable implementation here. Until it has loaded, and wherever WebAssembly
 * cannot run, `@noble/hashes` hashes instead; both give the same digest for the same bytes (the tests
 * compare them), so a chain never depends on which one wrote a record.
 */
let wasm: WasmHasher | undefined;
const wasmLoaded: Promise<boolean> = import('hash-wasm/dist/blake3.umd.min.js')
  .then(
    async (m: {
      createBLAKE3?: () => Promise<WasmHasher>;
      default?: { createBLAKE3?: () => Promise<WasmHasher> };
    }) => {
      const create = m.createBLAKE3 ?? m.default?.createBLAKE3;
      if (create === undefined) return false;
      wasm = await create();
      return true;
    },
  )
  .catch(() => false);

/**
 * Resolves once the fast Blake3 is in use (`true`) or known to be unavailable (`false`). Opening an
 * audit log waits for it, so its records are hashed the fast way from the first one.
 */
export function blake3Ready(): Promise<boolean> {
  return wasmLoaded;
}

/** Blake3-256 of the UTF-8 bytes of `text` (or of raw bytes), as lowercase hex. */
export function blake3Hex(text: string | Uint8Array): string {
  // The text is encoded here, not by the hasher, so both implementations always see the same bytes
  // (a lone surrogate becomes U+FFFD either way).
  if (wasm !== undefined) {
    wasm.init();
    wasm.update(typeof text === 'string' ? encodeScratch(text) : text);
    return wasm.digest('hex');
  }
  return bytesToHex(blake3(typeof text === 'string' ? encoder.encode(text) : text));
}

/** A buffer reused to encode texts up to 64 KiB for the (copying) WebAssembly hasher. */
let scratch = new Uint8Array(16 * 1024);

function encodeScratch(text: string): Uint8Array {
  if (text.length * 3 > 64 * 1024) return encoder.encode(text);
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(64 * 1024);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** Blake3-256 hex of the concatenation of `parts` (raw bytes), without joining them first. */
export function blake3HexOfParts(parts: readonly Uint8Array[]): string {
  if (wasm !== undefined) {
    wasm.init();
    for (const p of parts) wasm.update(p);
    return wasm.digest('hex');
  }
  const h = blake3.create();
  for (const p of parts) h.update(p);
  return bytesToHex(h.digest());
}

/** Blake3-256 hex by the portable implementation alone: the reference the fast one is checked against. */
export function blake3HexPortable(text: string | Uint8Array): string {
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

  toCanonical(options: CanonicalOptions): string {
    return JSON.stringify(this.toCanonicalValue(options));
  }

  toCanonicalValue(_options: CanonicalOptions): string {
    let text: string;
    try {
      text = canonicalJson(this.#value);
    } catch (err) {
      return `unserializable:${err instanceof Error ? err.message : String(err)}`;
    }
    return `blake3:${blake3Hex(text)}`;
  }
}

/** A digest of `value`, computed at serialization time. */
export function digestOf(value: unknown): DeferredDigest {
  return new DeferredDigest(value);
}
