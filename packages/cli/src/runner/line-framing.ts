/** One decoded line of a newline-delimited JSON stream. */
export type DecodedLine =
  | { readonly ok: true; readonly value: unknown; readonly bytes: number }
  | {
      readonly ok: false;
      readonly reason: 'too_large' | 'parse_error';
      readonly bytes: number;
      /** The top-level `id` of the refused line when one could be read, so its answer reaches its caller. */
      readonly id: string | number | null;
    };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Longest raw key or id value kept by the scanner; longer ones are not ids the mediator accepts. */
const MAX_CAPTURE = 512;

/**
 * Finds the top-level `id` of a JSON object read byte by byte, without parsing or keeping the frame:
 * strings are skipped, depth is tracked, only a top-level key and (when it is `id`) its value are kept,
 * each at most 512 bytes. Memory is constant whatever the frame's size; ids nested in params or inside
 * strings are not mistaken for it. The last top-level `id` wins, as with `JSON.parse`.
 */
export class IdScanner {
  #started = false;
  #done = false;
  #depth = 0;
  #inString = false;
  #escape = false;
  #expectKey = false;
  #key: number[] | undefined;
  #keyIsId = false;
  #value: number[] | undefined;
  #overflow = false;
  #id: string | number | null = null;

  /** Feeds the next bytes of the frame. */
  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && !this.#done; i++) this.#byte(bytes[i]!);
  }

  /** The id found so far: a string or safe integer, or null when there is none (or it is not a valid id). */
  get id(): string | number | null {
    return this.#id;
  }

  #byte(c: number): void {
    if (!this.#started) {
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return;
      this.#started = true;
      if (c !== 0x7b) {
        this.#done = true; // not an object (a batch, a scalar): no id to find
        return;
      }
      this.#depth = 1;
      this.#expectKey = true;
      return;
    }
    if (this.#value !== undefined && !(this.#depth === 1 && !this.#inString && (c === 0x2c || c === 0x7d))) {
      if (this.#value.length < MAX_CAPTURE) this.#value.push(c);
      else this.#overflow = true;
    }
    if (this.#inString) {
      if (this.#escape) this.#escape = false;
      else if (c === BACKSLASH) this.#escape = true;
      else if (c === QUOTE) {
        this.#inString = false;
        if (this.#key !== undefined) {
          this.#keyIsId = decode(this.#key) === 'id';
          this.#key = undefined;
        }
        return;
      }
      if (this.#key !== undefined && this.#key.length < MAX_CAPTURE) this.#key.push(c);
      return;
    }
    switch (c) {
      case QUOTE:
        this.#inString = true;
        if (this.#depth === 1 && this.#expectKey) {
          this.#key = [];
          this.#expectKey = false;
        }
        return;
      case 0x7b:
      case 0x5b:
        this.#depth++;
        return;
      case 0x7d:
      case 0x5d:
        this.#depth--;
        if (this.#depth === 0) {
          this.#endValue();
          this.#done = true;
        }
        return;
      case 0x2c:
        if (this.#depth === 1) {
          this.#endValue();
          this.#expectKey = true;
        }
        return;
      case 0x3a:
        if (this.#depth === 1 && this.#keyIsId) {
          this.#keyIsId = false;
          this.#value = [];
        }
        return;
      default:
        return;
    }
  }

  #endValue(): void {
    if (this.#value === undefined) return;
    const v = this.#overflow ? undefined : decode(this.#value);
    this.#value = undefined;
    this.#overflow = false;
    this.#id = typeof v === 'string' ? v : Number.isSafeInteger(v) ? (v as number) : null;
  }
}

function decode(raw: readonly number[]): unknown {
  const text = Buffer.from(raw).toString('utf8').trim();
  try {
    // A key is captured without its quotes; a value with them.
    return JSON.parse(text.startsWith('"') || /^[-0-9]/.test(text) ? text : `"${text}"`);
  } catch {
    return undefined;
  }
}

/** The top-level id of a whole (unparsable) frame, scanned the same bounded way. */
export function scanId(bytes: Uint8Array): string | number | null {
  const s = new IdScanner();
  s.feed(bytes);
  return s.id;
}

/**
 * Splits a byte stream into JSON lines with a hard size limit. An oversized line is dropped as soon as
 * it passes the limit (never buffered whole): from then on its bytes only pass through an `IdScanner`,
 * so the refusal can carry the request's id, and the decoder resynchronizes at the next newline.
 */
export class LineDecoder {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;
  #scanner: IdScanner | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for the current line (never more than the limit). */
  get heldBytes(): number {
    let n = 0;
    for (const p of this.#parts) n += p.length;
    return n;
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): DecodedLine[] {
    const out: DecodedLine[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      this.#size += piece.length;
      if (this.#scanner !== undefined) this.#scanner.feed(piece);
      else if (this.#size > this.#maxBytes) {
        // Over the limit: what was held goes through the scanner once and is released.
        this.#scanner = new IdScanner();
        for (const p of this.#parts) this.#scanner.feed(p);
        this.#scanner.feed(piece);
        this.#parts = [];
      } else if (piece.length > 0) this.#parts.push(piece);
      if (nl < 0) break;
      out.push(this.#finish());
      start = nl + 1;
    }
    return out.filter((l) => l.ok || l.bytes > 0);
  }

  #finish(): DecodedLine {
    const bytes = this.#size;
    const scanner = this.#scanner;
    const raw = scanner === undefined ? Buffer.concat(this.#parts) : undefined;
    this.#parts = [];
    this.#size = 0;
    this.#scanner = undefined;
    if (raw === undefined) return { ok: false, reason: 'too_large', bytes, id: scanner?.id ?? null };
    const text = raw.toString('utf8');
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return { ok: false, reason: 'parse_error', bytes: 0, id: null };
    try {
      return { ok: true, value: JSON.parse(trimmed), bytes };
    } catch {
      return { ok: false, reason: 'parse_error', bytes, id: scanId(raw) };
    }
  }
}
