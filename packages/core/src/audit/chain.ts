import { ErrorCode, GovernedError } from '../errors.js';
import { GENESIS_HASH } from './hash.js';
import { BatchWriter } from './record.js';

/**
 * When an append resolves:
 * - `fsync`: after its record is written and fdatasync'd (survives a machine crash). Concurrent appends
 *   share one write and one fsync (group commit without waiting).
 * - `group`: like fsync, but each batch first waits `groupWindowMs` to gather more records.
 * - `write`: after write(2) returned (survives a process crash, not a machine crash).
 * - `none`: at once; records are written in the background and may be lost in a crash.
 */
export type Durability = 'fsync' | 'group' | 'write' | 'none';

/** Where serialized records go. Writes arrive one at a time, in order. */
export interface RecordSink {
  /** Appends whole lines (each ends in `\n`). With `sync`, resolves once they are on stable storage. */
  write(text: string, sync: boolean): Promise<void>;
  /**
   * The same as UTF-8 bytes, when the sink takes bytes (a file does): the chain then encodes each
   * record once, straight into the batch it writes. `bytes` is the sink's until the promise resolves.
   */
  writeBytes?(bytes: Uint8Array, sync: boolean): Promise<void>;
  close(): Promise<void>;
}

/** How long an append waits. */
export interface AppendOptions {
  /**
   * `durable` (default): until the chain's durability is met. `next`: not at all — the append resolves
   * at once with its seq, and the record joins the next batch the chain writes (and syncs), which starts
   * within `deferMs` or as soon as a durable append needs one. A crash can lose such records appended
   * in the last `deferMs` plus one write; a later write failure stops the chain as any failure does,
   * so every append after it is refused.
   */
  readonly commit?: 'durable' | 'next';
}

/** Where a record landed. `hash` is absent for `none` appends, which resolve before hashing. */
export interface AuditPosition {
  readonly seq: number;
  readonly hash?: string;
}

/** Options of an AuditChain. */
export interface AuditChainOptions {
  /** Default 'fsync'. */
  readonly durability?: Durability;
  /** Batch window of `group` durability, in ms. Default 2. */
  readonly groupWindowMs?: number;
  /** The longest a `commit: 'next'` record waits for a batch to join, in ms. Default 10. */
  readonly deferMs?: number;
  /** The last record already in the sink, to continue a chain. Default: a new chain. */
  readonly head?: { readonly seq: number; readonly hash: string };
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
}

interface Pending {
  readonly seq: number;
  readonly urgent: boolean;
  readonly time: number;
  readonly type: string;
  readonly data: object;
  resolve?: (p: AuditPosition) => void;
  reject?: (e: unknown) => void;
}

/**
 * An append-only, Blake3 hash-chained log. `append` numbers the record at once (so concurrent callers
 * never fork the chain); serialization, hashing and I/O happen in ordered batches off the caller's path.
 * After any write failure the chain refuses every later append: a gap must never be papered over.
 */
export class AuditChain {
  readonly durability: Durability;
  readonly #sink: RecordSink;
  readonly #window: number;
  readonly #deferMs: number;
  readonly #now: () => number;
  readonly #batch = new BatchWriter();
  #nextSeq: number;
  #head: string;
  #headSeq: number;
  #queue: Pending[] = [];
  /** Some queued record's caller waits for it. */
  #urgent = false;
  /** A batch is due at once (next turn, or after the group window). */
  #scheduled = false;
  /** A batch is due after `deferMs` (only records nobody waits for are queued). */
  #deferred: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #failed: GovernedError | undefined;
  #closed = false;

  constructor(sink: RecordSink, options: AuditChainOptions = {}) {
    this.#sink = sink;
    this.durability = options.durability ?? 'fsync';
    this.#window = options.groupWindowMs ?? 2;
    this.#deferMs = options.deferMs ?? 10;
    this.#now = options.now ?? Date.now;
    this.#nextSeq = (options.head?.seq ?? 0) + 1;
    this.#head = options.head?.hash ?? GENESIS_HASH;
    this.#headSeq = options.head?.seq ?? 0;
  }

  /** Sequence number and hash of the last record serialized (written, or being written). */
  get head(): { seq: number; hash: string } {
    return { seq: this.#headSeq, hash: this.#head };
  }

  /** The error that stopped the chain, if any. */
  get failure(): GovernedError | undefined {
    return this.#failed;
  }

  /**
   * Appends a record of `type` with `data` (not to be mutated afterwards). Rejects with `audit_failed`.
   * With `commit: 'next'` it resolves at once (see AppendOptions for what a crash can lose).
   */
  append(type: string, data: object, options?: AppendOptions): Promise<AuditPosition> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#closed)
      return Promise.reject(new GovernedError(ErrorCode.AuditFailed, 'the audit chain is closed'));
    const seq = this.#nextSeq++;
    const urgent = this.durability !== 'none' && options?.commit !== 'next';
    const entry: Pending = { seq, urgent, time: this.#now(), type, data };
    this.#queue.push(entry);
    if (urgent) this.#urgent = true;
    this.#schedule();
    if (!urgent) return Promise.resolve({ seq });
    return new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
  }

  /** Resolves once every record appended so far is written (and synced, in the syncing modes). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running !== undefined || this.#scheduled) {
      if (this.#running !== undefined) await this.#running;
      else if (this.#queue.length > 0) await this.#start();
      else await new Promise((r) => setImmediate(r));
    }
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Flushes, then closes the sink. Later appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#sink.close();
    }
  }

  #schedule(): void {
    if (this.#running !== undefined || this.#scheduled) return;
    // Records nobody waits for: `none` writes them on the next turn (as it always has); the others let
    // them wait for a batch that a durable append starts, or for the deferral to run out.
    if (!this.#urgent && this.durability !== 'none') {
      this.#deferred ??= setTimeout(() => void this.#start(), this.#deferMs);
      return;
    }
    this.#scheduled = true;
    if (this.durability === 'group') setTimeout(() => void this.#start(), this.#window);
    else setImmediate(() => void this.#start());
  }

  #start(): Promise<void> {
    this.#scheduled = false;
    if (this.#deferred !== undefined) clearTimeout(this.#deferred);
    this.#deferred = undefined;
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
      // Appends that arrived after the drain loop's last check but before this point.
      if (this.#queue.length > 0 && this.#failed === undefined) this.#schedule();
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    const sync = this.durability === 'fsync' || this.durability === 'group';
    while (this.#queue.length > 0 && this.#failed === undefined) {
      const batch = this.#queue;
      this.#queue = [];
      this.#urgent = false;
      const hashes: string[] = [];
      const out = this.#batch;
      out.reset();
      for (const e of batch) {
        const hash = out.add({
          seq: e.seq,
          ts: isoTime(e.time),
          type: e.type,
          prev: this.#head,
          data: e.data,
        });
        this.#head = hash;
        this.#headSeq = e.seq;
        hashes.push(hash);
      }
      try {
        if (this.#sink.writeBytes !== undefined) await this.#sink.writeBytes(out.bytes(), sync);
        else await this.#sink.write(out.text(), sync);
      } catch (err) {
        this.#failed = new GovernedError(ErrorCode.AuditFailed, `audit write failed: ${String(err)}`, {
          cause: err,
        });
        for (const e of [...batch, ...this.#queue]) e.reject?.(this.#failed);
        this.#queue = [];
        return;
      }
      batch.forEach((e, i) => {
        e.resolve?.({ seq: e.seq, hash: hashes[i]! });
      });
      // What is left waits for its deferral unless someone is waiting for a record of it.
      if (!this.#urgent && this.durability !== 'none') break;
    }
  }
}

let lastTime = Number.NaN;
let lastIso = '';

/** ISO-8601 of an epoch-ms time (records of one millisecond share the string). */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastTime = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** A sink that keeps lines in memory (tests, benchmarks, embedding in another log). */
export interface MemorySink extends RecordSink {
  readonly lines: string[];
}

/** Creates an in-memory sink. */
export function createMemorySink(): MemorySink {
  const lines: string[] = [];
  return {
    lines,
    async write(text) {
      for (const line of text.split('\n')) if (line !== '') lines.push(line);
    },
    async close() {},
  };
}
