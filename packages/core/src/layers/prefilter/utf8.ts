/**
 * Strict UTF-8 decoding for the pre-filter's decoders, without the exception a fatal `TextDecoder`
 * throws on bad input: the bytes are validated first (the WHATWG rules a fatal decoder applies), plain
 * ASCII is read directly, and only valid non-ASCII bytes reach the decoder, which cannot throw on them.
 * The result is the fatal decoder's, byte for byte (a leading byte-order mark is dropped, as it drops it).
 */

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes of ASCII read with one `String.fromCharCode` call each, below the engine's argument limits. */
const CHUNK = 4096;

/**
 * 0 when `bytes` is not well-formed UTF-8, 1 when it is plain ASCII, 2 when it is well-formed and has
 * multi-byte sequences. Well-formed as the Encoding Standard's decoder reads it: no overlong forms, no
 * surrogates, nothing past U+10FFFF, no truncated sequence.
 */
export function utf8Kind(bytes: Uint8Array): 0 | 1 | 2 {
  let kind: 1 | 2 = 1;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    kind = 2;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return 0;
    if (i + need >= n) return 0;
    const second = bytes[i + 1] as number;
    if (second < lo || second > hi) return 0;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k] as number;
      if (c < 0x80 || c > 0xbf) return 0;
    }
    i += need + 1;
  }
  return kind;
}

/** What a fatal UTF-8 `TextDecoder` makes of `bytes`; undefined where it would throw. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const kind = utf8Kind(bytes);
  if (kind === 0) return undefined;
  if (kind === 2) return decoder.decode(bytes);
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return text;
}
