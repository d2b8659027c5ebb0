import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The policy hash: Blake3 over every source file's text in include order, each framed by its byte
 * length so that no two different source sets share a hash. Line endings are canonicalised to `\n`;
 * file paths are left out, so moving a checkout does not change the hash.
 */
export function hashSources(sources: readonly string[]): string {
  const h = blake3.create();
  h.update(utf8ToBytes('governed-mcp-policy/1\n'));
  for (const source of sources) {
    const bytes = utf8ToBytes(source.replace(/\r\n?/g, '\n'));
    h.update(utf8ToBytes(`${bytes.length}\n`));
    h.update(bytes);
  }
  return bytesToHex(h.digest());
}
