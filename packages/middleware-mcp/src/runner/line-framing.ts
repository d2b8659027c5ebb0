/** One decoded line of a newline-delimited JSON stream. */
export type DecodedLine =
  | { readonly ok: true; readonly value: unknown; readonly bytes: number }
  | { readonly ok: false; readonly reason: 'too_large' | 'parse_error'; readonly bytes: number };

/**
 * Splits a byte stream into JSON lines with a hard size limit. An oversized line is dropped as soon as
 * it passes the limit (never buffered whole) and the decoder resynchronizes at the next newline.
 */
export class LineDecoder {
  readonly #maxBytes: number;
  #parts: Buffer[] = [];
  #size = 0;
  #discarding = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): DecodedLine[] {
    const out: DecodedLine[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!this.#discarding) {
        this.#size += piece.length;
        if (this.#size > this.#maxBytes) {
          this.#discarding = true;
          this.#parts = [];
        } else if (piece.length > 0) this.#parts.push(piece);
      } else this.#size += piece.length;
      if (nl < 0) break;
      out.push(this.#finish());
      start = nl + 1;
    }
    return out.filter((l) => l.ok || l.bytes > 0);
  }

  #finish(): DecodedLine {
    const bytes = this.#size;
    const discarded = this.#discarding;
    const text = discarded ? '' : Buffer.concat(this.#parts).toString('utf8');
    this.#parts = [];
    this.#size = 0;
    this.#discarding = false;
    if (discarded) return { ok: false, reason: 'too_large', bytes };
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return { ok: false, reason: 'parse_error', bytes: 0 };
    try {
      return { ok: true, value: JSON.parse(trimmed), bytes };
    } catch {
      return { ok: false, reason: 'parse_error', bytes };
    }
  }
}
