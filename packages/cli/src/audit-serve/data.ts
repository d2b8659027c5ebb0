import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkRecordLine } from '@governed-mcp/core';
import {
  type CheckpointVerifier,
  parseCheckpoint,
  verifyAuditFile,
  verifyChainAgainstCheckpoint,
} from '@governed-mcp/core/node';

/** How many records the viewer keeps in memory, over all files, unless told otherwise. */
export const DEFAULT_MAX_RECORDS = 200_000;

/** One record kept for the page: where it came from and its parsed content. */
export interface StoredRecord {
  /** Index of its file in the list the server was given. */
  readonly file: number;
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The last checkpoint next to a file (`<file>.checkpoint`), checked or only read. */
export interface CheckpointSummary {
  readonly path: string;
  /** True when the signature was checked with `--key`; false when only the text was read. */
  readonly verified: boolean;
  /** The chain holds the checkpoint's record with its hash (and, when verified, the signature is good). */
  readonly matches: boolean;
  readonly size?: number;
  readonly hash?: string;
  readonly time?: string;
  readonly origin?: string;
  readonly problem?: string;
}

/** What the Overview shows for one file. */
export interface FileSummary {
  readonly path: string;
  readonly ok: boolean;
  readonly records: number;
  readonly head: string;
  readonly firstBad?: {
    readonly seq: number;
    readonly line: number;
    readonly reason: string;
    readonly detail?: string;
  };
  readonly firstTs?: string;
  readonly lastTs?: string;
  /** Lines that are not valid records on their own (kept out of the record list). */
  readonly invalidLines: number;
  readonly types: Readonly<Record<string, number>>;
  readonly checkpoint?: CheckpointSummary;
}

/** Everything the server answers from: the summaries and the records kept in memory. */
export interface AuditData {
  readonly files: readonly FileSummary[];
  readonly records: readonly StoredRecord[];
  /** Records read in all, kept or not. */
  readonly total: number;
  /** True when more records were read than kept (only the first `maxRecords` are kept). */
  readonly capped: boolean;
  readonly maxRecords: number;
}

/** Options of loadAuditData. */
export interface LoadOptions {
  readonly maxRecords?: number;
  /** The public key of signed checkpoints; without it checkpoints are shown unverified. */
  readonly key?: CheckpointVerifier;
}

async function checkpointOf(
  path: string,
  key: CheckpointVerifier | undefined,
): Promise<CheckpointSummary | undefined> {
  const cpPath = `${path}.checkpoint`;
  if (!existsSync(cpPath)) return undefined;
  const text = await readFile(cpPath, 'utf8');
  if (key !== undefined) {
    const r = await verifyChainAgainstCheckpoint(path, text, key, { workers: 0 });
    const c = r.checkpoint;
    return {
      path: cpPath,
      verified: true,
      matches: r.ok,
      ...(c.size === undefined ? {} : { size: c.size }),
      ...(c.hash === undefined ? {} : { hash: c.hash }),
      ...(c.time === undefined ? {} : { time: c.time }),
      ...(c.origin === undefined ? {} : { origin: c.origin }),
      ...(c.reason === undefined ? {} : { problem: `${c.code}: ${c.reason}` }),
    };
  }
  const parsed = parseCheckpoint(text);
  if (!parsed.ok)
    return { path: cpPath, verified: false, matches: false, problem: `${parsed.code}: ${parsed.message}` };
  const cp = parsed.checkpoint;
  const chain = await verifyAuditFile(path, { expectHead: cp.hash, workers: 0 });
  const matches = chain.expectedHead?.seq === cp.size;
  return {
    path: cpPath,
    verified: false,
    matches,
    size: cp.size,
    hash: cp.hash,
    origin: cp.origin,
    ...(cp.time === undefined ? {} : { time: cp.time }),
    ...(matches ? {} : { problem: `record ${cp.size} of the chain does not have the checkpoint's hash` }),
  };
}

/**
 * Reads the audit files, streaming: verifies each chain, reads its checkpoint, and keeps at most
 * `maxRecords` records (the first ones) in memory. Never writes. Throws on I/O errors.
 */
export async function loadAuditData(paths: readonly string[], options: LoadOptions = {}): Promise<AuditData> {
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const files: FileSummary[] = [];
  const records: StoredRecord[] = [];
  let total = 0;
  for (const [file, path] of paths.entries()) {
    const report = await verifyAuditFile(path, { workers: 0 });
    const types: Record<string, number> = {};
    let invalidLines = 0;
    const lines = createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (line === '') continue;
      const check = checkRecordLine(line);
      if (!check.ok) {
        invalidLines++;
        continue;
      }
      const r = check.record;
      types[r.type] = (types[r.type] ?? 0) + 1;
      total++;
      if (records.length < maxRecords) {
        records.push({ file, seq: r.seq, ts: r.ts, type: r.type, data: r.data as Record<string, unknown> });
      }
    }
    const bad = report.firstBad;
    files.push({
      path,
      ok: report.ok,
      records: report.records,
      head: report.head,
      ...(bad === undefined
        ? {}
        : { firstBad: { seq: bad.seq, line: bad.line, reason: bad.reason, detail: bad.detail } }),
      ...(report.firstTs === undefined ? {} : { firstTs: report.firstTs }),
      ...(report.lastTs === undefined ? {} : { lastTs: report.lastTs }),
      invalidLines,
      types,
      ...(await checkpointOf(path, options.key).then((c) => (c === undefined ? {} : { checkpoint: c }))),
    });
  }
  return { files, records, total, capped: total > records.length, maxRecords };
}

/**
 * Loads the data once and again only when a file changed (size or modification time), so that a log
 * the gateway is still writing shows its new records on the next request.
 */
export function createAuditSource(
  paths: readonly string[],
  options: LoadOptions = {},
): () => Promise<AuditData> {
  let signature = '';
  let current: Promise<AuditData> | undefined;
  return async function auditData(): Promise<AuditData> {
    const stats = await Promise.all(
      paths
        .flatMap((p) => [p, `${p}.checkpoint`])
        .map((p) =>
          stat(p).then(
            (s) => `${s.size}:${s.mtimeMs}`,
            () => '-',
          ),
        ),
    );
    const now = stats.join('|');
    if (current === undefined || now !== signature) {
      signature = now;
      current = loadAuditData(paths, options);
      current.catch(() => {
        signature = '';
      });
    }
    return current;
  };
}
