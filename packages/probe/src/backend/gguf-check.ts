import { open, stat } from 'node:fs/promises';
import { ProbeErrorCode, probeError } from '../errors.js';
import { importLlamaRuntime } from './llama-runtime.js';

/**
 * Checks a GGUF file before llama.cpp loads it. llama.cpp answers some malformed files with a native
 * assert that aborts the whole process (a missing `llama.feed_forward_length` does), so the gate reads
 * the header itself first and refuses what would crash: missing hyper-parameters, a tokenizer without
 * tokens, missing or mis-shaped core tensors, and tensor data that runs past the end of the file.
 */

/** Bytes per block and elements per block of the GGML types the check can size. */
const TYPE_SIZES: Readonly<Record<number, readonly [bytes: number, elements: number]>> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  30: [2, 1], // BF16
};

/** What the check learned about the model. */
export interface GgufSummary {
  readonly architecture: string;
  readonly tensors: number;
  readonly vocabulary: number;
}

function invalid(path: string, why: string, cause?: unknown): Error {
  return probeError(ProbeErrorCode.ModelInvalid, `model ${path} is not usable: ${why}`, cause);
}

function positiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** How long reading the header may take before the file is refused. */
const READ_BUDGET_MS = 10_000;
/** Fewest bytes a key-value pair and a tensor description can take in a GGUF header. */
const MIN_KV_BYTES = 8 + 1 + 4;
const MIN_TENSOR_BYTES = 8 + 1 + 4 + 8 + 4 + 8;

/**
 * Reads the fixed part of the header (magic, version, tensor and key-value counts) and refuses counts
 * that the file's size cannot hold: a crafted header must not send the full reader into a long loop.
 */
async function checkHeader(path: string, size: number): Promise<void> {
  const head = Buffer.alloc(24);
  let read = 0;
  try {
    const fh = await open(path, 'r');
    try {
      ({ bytesRead: read } = await fh.read(head, 0, 24, 0));
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw invalid(path, 'cannot read the file', err);
  }
  if (head.toString('latin1', 0, 4) !== 'GGUF') throw invalid(path, 'not a GGUF file (bad magic)');
  if (read < 24) throw invalid(path, `truncated: ${read} bytes cannot hold a GGUF header`);
  const version = head.readUInt32LE(4);
  if (version !== 2 && version !== 3) throw invalid(path, `unsupported GGUF version ${version}`);
  const tensors = head.readBigUInt64LE(8);
  const kvs = head.readBigUInt64LE(16);
  const room = BigInt(size);
  if (tensors * BigInt(MIN_TENSOR_BYTES) + kvs * BigInt(MIN_KV_BYTES) > room) {
    throw invalid(path, `header claims ${tensors} tensors and ${kvs} keys, more than ${size} bytes can hold`);
  }
}

/** Validates a GGUF file; rejects with `probe_model_invalid` and a reason. */
export async function checkGguf(path: string): Promise<GgufSummary> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (err) {
    throw invalid(path, 'cannot read the file', err);
  }
  await checkHeader(path, size);
  const { readGgufFileInfo } = await importLlamaRuntime();
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  // A header reader handed crafted counts can loop for a long time: it gets a bounded budget.
  const signal = AbortSignal.timeout(READ_BUDGET_MS);
  try {
    info = await readGgufFileInfo(path, {
      sourceType: 'filesystem',
      logWarnings: false,
      spliceSplitFiles: true,
      signal,
    });
  } catch (err) {
    const why = signal.aborted ? `reading the header took over ${READ_BUDGET_MS} ms` : (err as Error).message;
    throw invalid(path, `unreadable GGUF header (${why})`, err);
  }
  const raw = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = raw['general'] as { architecture?: unknown } | undefined;
  const arch = general?.architecture;
  if (typeof arch !== 'string' || arch === '') throw invalid(path, 'general.architecture is missing');
  const hp = (raw[arch] ?? {}) as Record<string, unknown>;
  const attention = (hp['attention'] ?? {}) as Record<string, unknown>;
  const required: Record<string, unknown> = {
    context_length: hp['context_length'],
    embedding_length: hp['embedding_length'],
    block_count: hp['block_count'],
    feed_forward_length: hp['feed_forward_length'],
    'attention.head_count': attention['head_count'],
  };
  for (const [key, value] of Object.entries(required)) {
    // Some architectures store per-layer arrays; accept them when every entry is a positive integer.
    const ok = positiveInt(value) || (Array.isArray(value) && value.length > 0 && value.every(positiveInt));
    if (!ok) throw invalid(path, `${arch}.${key} is missing or not a positive integer`);
  }
  const tokenizer = (raw['tokenizer'] ?? {}) as { ggml?: { model?: unknown; tokens?: unknown } };
  const tokens = tokenizer.ggml?.tokens;
  if (typeof tokenizer.ggml?.model !== 'string') throw invalid(path, 'tokenizer.ggml.model is missing');
  if (!Array.isArray(tokens) || tokens.length === 0) throw invalid(path, 'tokenizer.ggml.tokens is missing');

  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const embd = byName.get('token_embd.weight');
  if (embd === undefined) throw invalid(path, 'tensor token_embd.weight is missing');
  const width = Number(embd.dimensions[0]);
  if (width !== hp['embedding_length'] || Number(embd.dimensions[1]) !== tokens.length) {
    throw invalid(path, 'token_embd.weight does not match embedding_length and the vocabulary');
  }
  const blocks = hp['block_count'] as number;
  const lastBlock = tensors.some((t) => t.name.startsWith(`blk.${blocks - 1}.`));
  if (!lastBlock || tensors.some((t) => t.name.startsWith(`blk.${blocks}.`))) {
    throw invalid(path, `tensors do not match block_count ${blocks}`);
  }
  const dataStart = info.metadataSize + (info.tensorInfoSize ?? 0);
  for (const t of tensors) {
    const sizes = TYPE_SIZES[t.ggmlType as number];
    // Tensors of later parts of a split model lie in other files; only the first part's are sized here.
    if (sizes === undefined || (t.filePart ?? 1) !== 1) continue;
    const elements = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    if (Number(t.dimensions[0]) % sizes[1] !== 0)
      throw invalid(path, `tensor ${t.name} has a bad row length`);
    const end = Number(t.fileOffset) + (elements / sizes[1]) * sizes[0];
    if (!Number.isFinite(end) || end > size || Number(t.fileOffset) < dataStart) {
      throw invalid(path, `tensor ${t.name} lies outside the file`);
    }
  }
  return { architecture: arch, tensors: tensors.length, vocabulary: tokens.length };
}
