import { createReadStream, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { blake3Ready } from './hash.js';
import { ChainVerifier, checkSegment, type SegmentCheck, type VerifyReport } from './verify.js';

/** A line longer than this is not a record; it is reported rather than buffered. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Below this size, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

/** Options of verifyAuditFile. */
export interface VerifyFileOptions {
  /** Fail unless a record with this hash is in the chain (catches a cut tail). */
  readonly expectHead?: string;
  /**
   * Worker threads that check hashes while the main thread follows the links. Default: the number of
   * CPUs, at most 4; 0 checks everything on the calling thread. Small files are always checked inline.
   */
  readonly workers?: number;
}

/** Reading state: the partial line carried between chunks, and whether a line grew too long. */
interface ReadState {
  rest?: Buffer | undefined;
  tooLong?: boolean;
}

const workerUrl = new URL('./verify-worker.js', import.meta.url);

/**
 * Verifies an audit file by streaming it: memory stays flat whatever its size. Stops at the first
 * broken record. A final line without its newline is reported as `tornTail` (a crash mid-write), not as
 * tampering; it is not counted as a record.
 */
export async function verifyAuditFile(path: string, options: VerifyFileOptions = {}): Promise<VerifyReport> {
  const verifier = new ChainVerifier(
    options.expectHead === undefined ? {} : { expectHead: options.expectHead },
  );
  const workers = Math.max(0, Math.floor(options.workers ?? Math.min(4, availableParallelism())));
  // Workers run compiled code: from sources (tests under a TS loader) the inline path is used.
  const parallel =
    workers > 0 && statSync(path).size >= PARALLEL_MIN_BYTES && existsSync(fileURLToPath(workerUrl));
  const expectHead = options.expectHead?.toLowerCase();
  if (!parallel) await blake3Ready();
  return parallel
    ? verifyParallel(path, verifier, workers, expectHead)
    : verifyInline(path, verifier, expectHead);
}

/** Yields the complete lines of each chunk as one buffer; `rest` ends up holding a final partial line. */
async function* batches(path: string, state: ReadState): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = state.rest === undefined ? chunk : Buffer.concat([state.rest, chunk]);
      const end = buf.lastIndexOf(0x0a) + 1;
      state.rest = end < buf.length ? buf.subarray(end) : undefined;
      if (end > 0) yield buf.subarray(0, end);
      if (state.rest !== undefined && state.rest.length > MAX_LINE_BYTES) {
        state.tooLong = true;
        return;
      }
    }
  } finally {
    stream.destroy();
  }
}

function finish(verifier: ChainVerifier, state: ReadState, lineNo: number): VerifyReport {
  if (state.tooLong) {
    verifier.push('', lineNo + 1);
    return verifier.finish();
  }
  return verifier.finish(
    state.rest === undefined ? undefined : { line: lineNo + 1, bytes: state.rest.length },
  );
}

async function verifyInline(
  path: string,
  verifier: ChainVerifier,
  expectHead?: string,
): Promise<VerifyReport> {
  const state: ReadState = {};
  let lineNo = 0;
  for await (const buf of batches(path, state)) {
    const segment = checkSegment(buf, expectHead);
    if (!verifier.pushSegment(segment, lineNo + 1)) return verifier.finish();
    lineNo += segment.linked;
  }
  return finish(verifier, state, lineNo);
}

async function verifyParallel(
  path: string,
  verifier: ChainVerifier,
  count: number,
  expectHead?: string,
): Promise<VerifyReport> {
  const pool = Array.from({ length: count }, () => new Worker(workerUrl));
  const waiting = new Map<number, { resolve: (r: SegmentCheck) => void; reject: (e: unknown) => void }>();
  for (const w of pool) {
    w.on('message', (m: { id: number; segment: SegmentCheck }) => {
      waiting.get(m.id)?.resolve(m.segment);
      waiting.delete(m.id);
    });
    w.on('error', (err) => {
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }
  const inFlight: Promise<SegmentCheck>[] = [];
  const state: ReadState = {};
  let lineNo = 0;
  let id = 0;
  // Follows the links of the oldest batch; false once the chain is broken.
  const settleOldest = async (): Promise<boolean> => {
    const segment = await inFlight.shift()!;
    if (!verifier.pushSegment(segment, lineNo + 1)) return false;
    lineNo += segment.linked;
    return true;
  };
  try {
    for await (const buf of batches(path, state)) {
      const bytes = new Uint8Array(buf); // a copy the worker can own
      const n = id++;
      inFlight.push(
        new Promise<SegmentCheck>((resolve, reject) => {
          waiting.set(n, { resolve, reject });
          pool[n % count]!.postMessage({ id: n, bytes, expectHead }, [bytes.buffer]);
        }),
      );
      // Bounded look-ahead keeps memory flat: a few MiB per worker.
      if (inFlight.length >= count * 2 && !(await settleOldest())) return verifier.finish();
    }
    while (inFlight.length > 0) if (!(await settleOldest())) return verifier.finish();
    return finish(verifier, state, lineNo);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
