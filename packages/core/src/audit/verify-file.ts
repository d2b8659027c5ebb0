import { createReadStream } from 'node:fs';
import { ChainVerifier, type VerifyReport } from './verify.js';

/** A line longer than this is not a record; it is reported rather than buffered. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Verifies an audit file by streaming it: memory stays flat whatever its size. Stops at the first
 * broken record. A final line without its newline is reported as `tornTail` (a crash mid-write), not as
 * tampering; it is not counted as a record.
 */
export async function verifyAuditFile(
  path: string,
  options: { expectHead?: string } = {},
): Promise<VerifyReport> {
  const verifier = new ChainVerifier(options);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let rest: Buffer | undefined;
  let lineNo = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      let start = 0;
      let nl = buf.indexOf(0x0a, start);
      while (nl >= 0) {
        lineNo++;
        if (!verifier.push(buf.toString('utf8', start, nl), lineNo)) return verifier.finish();
        start = nl + 1;
        nl = buf.indexOf(0x0a, start);
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
      if (rest !== undefined && rest.length > MAX_LINE_BYTES) {
        verifier.push('', lineNo + 1);
        return verifier.finish();
      }
    }
  } finally {
    stream.destroy();
  }
  return verifier.finish(rest === undefined ? undefined : { line: lineNo + 1, bytes: rest.length });
}
