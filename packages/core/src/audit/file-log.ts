import { constants } from 'node:fs';
import { type FileHandle, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { ErrorCode, GovernedError } from '../errors.js';
import { AuditChain, type AuditChainOptions, type RecordSink } from './chain.js';
import { blake3Hex, blake3Ready } from './hash.js';
import { checkRecordLine } from './record.js';
import { verifyAuditFile } from './verify-file.js';

/** Options of a JSON Lines audit log on disk. */
export interface AuditLogOptions extends Omit<AuditChainOptions, 'head'> {
  /**
   * How much of an existing file to check before continuing it: `tail` checks the last record's own
   * hash (fast start), `full` verifies the whole chain. Default `tail`.
   */
  readonly verifyOnOpen?: 'tail' | 'full';
}

/** An audit chain bound to a file, with what recovery found when it was opened. */
export interface AuditLog extends AuditChain {
  readonly path: string;
  /** Set when the file existed: where the chain continued, and the torn tail dropped, if any. */
  readonly resumed?: { readonly afterSeq: number; readonly tornBytes: number };
}

const TAIL_CHUNK = 64 * 1024;

class FileSink implements RecordSink {
  readonly #fh: FileHandle;
  readonly #lockPath: string;

  constructor(fh: FileHandle, lockPath: string) {
    this.#fh = fh;
    this.#lockPath = lockPath;
  }

  write(text: string, sync: boolean): Promise<void> {
    return this.writeBytes(Buffer.from(text, 'utf8'), sync);
  }

  async writeBytes(buf: Uint8Array, sync: boolean): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.#fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    if (sync) await this.#fh.datasync();
  }

  async close(): Promise<void> {
    await this.#fh.close();
    await unlink(this.#lockPath).catch(() => undefined);
  }
}

/** Takes `path.lock`, so that two gateways never extend one chain. A lock left by a dead process is taken over. */
async function lock(lockPath: string): Promise<void> {
  try {
    await writeFile(lockPath, String(process.pid), { flag: 'wx' });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
  let alive = false;
  if (pid === process.pid) {
    alive = true;
  } else if (Number.isSafeInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (alive) throw new GovernedError(ErrorCode.Io, `audit log is in use by process ${pid} (${lockPath})`);
  await writeFile(lockPath, String(process.pid));
}

/** Finds the last newline; returns the byte offset just after it (0 if none) by reading backwards. */
async function endOfLastLine(fh: FileHandle, size: number): Promise<number> {
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/** Reads the complete line that ends just before `end` (which follows a newline). */
async function lineBefore(fh: FileHandle, end: number): Promise<string> {
  let start = end - 1;
  let chunk = Buffer.alloc(0);
  while (start > 0) {
    const from = Math.max(0, start - TAIL_CHUNK);
    const buf = Buffer.alloc(start - from);
    await fh.read(buf, 0, buf.length, from);
    chunk = Buffer.concat([buf, chunk]);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return chunk.subarray(nl + 1, chunk.length).toString('utf8');
    start = from;
  }
  return chunk.toString('utf8');
}

/**
 * Opens (or creates) an audit log at `path` and returns its chain. A new file starts with a
 * `chain.start` record. An existing file is continued from its last complete record: a torn final line
 * (a crash mid-write) is cut off, and a `chain.resumed` record says where the chain continued and how many
 * torn bytes were dropped (with their digest). A file whose last record does not check out is refused.
 */
export async function openAuditLog(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
  const lockPath = `${path}.lock`;
  // Records are hashed by the fast Blake3 from the first one (the portable one if it cannot load).
  await blake3Ready();
  await lock(lockPath);
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o640);
    const { size } = await fh.stat();
    let head: { seq: number; hash: string } | undefined;
    let torn = 0;
    let tornDigest: string | undefined;
    if (size > 0) {
      if (options.verifyOnOpen === 'full') {
        const report = await verifyAuditFile(path);
        if (!report.ok) {
          throw new GovernedError(
            ErrorCode.AuditCorrupt,
            `refusing to continue ${path}: record ${report.firstBad?.seq} ${report.firstBad?.reason}`,
          );
        }
      }
      const end = await endOfLastLine(fh, size);
      torn = size - end;
      if (torn > 0) {
        const buf = Buffer.alloc(torn);
        await fh.read(buf, 0, torn, end);
        tornDigest = blake3Hex(buf);
        await fh.truncate(end);
      }
      if (end > 0) {
        const check = checkRecordLine(await lineBefore(fh, end));
        if (!check.ok) {
          throw new GovernedError(
            ErrorCode.AuditCorrupt,
            `refusing to continue ${path}: its last record is invalid (${check.problem}: ${check.detail})`,
          );
        }
        head = { seq: check.record.seq, hash: check.record.hash };
      }
    }
    const chain = new AuditChain(
      new FileSink(fh, lockPath),
      head === undefined ? options : { ...options, head },
    );
    const log = Object.assign(chain, {
      path,
      ...(head === undefined ? {} : { resumed: { afterSeq: head.seq, tornBytes: torn } }),
    }) as AuditLog;
    // The marker record is awaited in every mode, so that a gateway never starts on an unwritable log.
    const marker =
      head === undefined
        ? chain.append('chain.start', { format: 'governed-mcp-audit/1' })
        : chain.append('chain.resumed', {
            afterSeq: head.seq,
            afterHash: head.hash,
            tornBytes: torn,
            ...(tornDigest === undefined ? {} : { tornDigest: `blake3:${tornDigest}` }),
          });
    await marker;
    await chain.flush();
    return log;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    if (err instanceof GovernedError) throw err;
    throw new GovernedError(ErrorCode.Io, `cannot open audit log ${path}: ${String(err)}`, { cause: err });
  }
}
