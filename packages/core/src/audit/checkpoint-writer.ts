import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type CheckpointSigner, makeCheckpoint, parseSignerKey } from './checkpoint.js';
import type { AuditLog } from './file-log.js';

/** Where each checkpoint is also sent: a folder (ideally on another machine's mount) or an HTTP URL. */
export interface CheckpointWitness {
  /** A directory: each checkpoint is copied in as `checkpoint-<size>.txt`. */
  readonly dir?: string;
  /** A URL: each checkpoint is POSTed as `text/plain` and must get a 2xx within `timeoutMs`. */
  readonly url?: string;
  /** Default 5000. */
  readonly timeoutMs?: number;
}

/** Options of startCheckpoints. */
export interface CheckpointWriterOptions {
  /** The private key (parsed, or its text). */
  readonly key: CheckpointSigner | string;
  /** Sign after this many new records. Default 1000. */
  readonly everyRecords?: number;
  /** Sign after this many ms when the log grew. Default 60000. */
  readonly everyMs?: number;
  /** The latest checkpoint's file (replaced atomically). `<out>.history` keeps every one, as JSON Lines. */
  readonly out: string;
  /** Default `governed-mcp/audit/<file name of the log>`. */
  readonly origin?: string;
  readonly witness?: CheckpointWitness;
  /** Told about each checkpoint written. */
  readonly onCheckpoint?: (c: { size: number; hash: string; text: string }) => void;
  /**
   * Told about failures (a write, a witness): they never stop the log or the gate; the caller logs them.
   * `where` is `file` or `witness`.
   */
  readonly onError?: (where: 'file' | 'witness', err: unknown) => void;
}

/** A running checkpoint writer. */
export interface CheckpointWriter {
  /** Signs a checkpoint now if the log grew since the last one; resolves once written and witnessed. */
  checkpoint(): Promise<void>;
  /** Stops the timer and writes a last checkpoint (call before closing the log). */
  stop(): Promise<void>;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

async function witness(w: CheckpointWitness, size: number, text: string): Promise<void> {
  if (w.dir !== undefined) {
    await mkdir(w.dir, { recursive: true });
    await writeAtomic(join(w.dir, `checkpoint-${size}.txt`), text);
  }
  if (w.url !== undefined) {
    const res = await fetch(w.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: text,
      signal: AbortSignal.timeout(w.timeoutMs ?? 5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`witness ${w.url} answered ${res.status}`);
  }
}

/**
 * Signs checkpoints of `log` every `everyRecords` records or `everyMs` ms (whichever comes first, and
 * only when the log grew) and once more on stop. Each is written to `out` (temp file and rename), appended
 * to `<out>.history`, and handed to the witness. Failures go to `onError` and never stop the gate.
 */
export function startCheckpoints(log: AuditLog, options: CheckpointWriterOptions): CheckpointWriter {
  const signer = typeof options.key === 'string' ? parseSignerKey(options.key) : options.key;
  const everyRecords = Math.max(1, options.everyRecords ?? 1000);
  const everyMs = Math.max(1, options.everyMs ?? 60_000);
  const origin = options.origin ?? `governed-mcp/audit/${basename(log.path).replace(/\s/g, '_')}`;
  let lastSeq = 0;
  let lastAt = Date.now();
  let running: Promise<void> | undefined;
  let stopped = false;

  const write = async (): Promise<void> => {
    // Only records on disk may be vouched for: wait for the ones serialized so far.
    const head = log.head;
    try {
      await log.flush();
    } catch (err) {
      options.onError?.('file', err);
      return;
    }
    lastAt = Date.now();
    if (head.seq <= lastSeq) return;
    let text: string;
    try {
      text = makeCheckpoint(head, signer, { origin });
      await writeAtomic(options.out, text);
      await appendFile(options.out.concat('.history'), `${JSON.stringify({ checkpoint: text })}\n`);
      lastSeq = head.seq;
      options.onCheckpoint?.({ size: head.seq, hash: head.hash, text });
    } catch (err) {
      options.onError?.('file', err);
      return;
    }
    if (options.witness !== undefined) {
      await witness(options.witness, head.seq, text).catch((err: unknown) =>
        options.onError?.('witness', err),
      );
    }
  };
  const checkpoint = (): Promise<void> => {
    running ??= write().finally(() => {
      running = undefined;
    });
    return running;
  };
  // Polling the head is a getter read: cheap enough at 5 Hz, and it needs no hook in the chain.
  const timer = setInterval(
    () => {
      if (stopped || running !== undefined) return;
      const grown = log.head.seq - lastSeq;
      if (grown >= everyRecords || (grown > 0 && Date.now() - lastAt >= everyMs)) void checkpoint();
    },
    Math.min(200, everyMs),
  );
  timer.unref();
  return {
    checkpoint,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      if (running !== undefined) await running;
      await checkpoint();
    },
  };
}
