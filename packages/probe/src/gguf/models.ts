import { join } from 'node:path';
import { BASE_WORDS, buildSpmVocab, type TestVocab } from './vocab.js';
import { buildBpeVocab } from './vocab-bpe.js';
import { type GgufTensor, type GgufValue, writeGguf } from './writer.js';

/**
 * Builders of the project's own tiny llama-architecture GGUF models, written at run time (nothing is
 * downloaded or committed): a random-weight model for mechanics and benchmarks, and a known-answer
 * model whose next-token probabilities follow in closed form from its weights.
 */

/** Shape of a llama model. */
export interface LlamaShape {
  readonly embedding: number;
  readonly blocks: number;
  readonly heads: number;
  readonly feedForward: number;
  readonly contextLength: number;
}

/** The weights of the known-answer model that its closed form needs (row-major, one row per token). */
export interface KnownAnswerModel {
  readonly path: string;
  readonly vocab: TestVocab;
  readonly shape: LlamaShape;
  /** `[vocab][embedding]` token embeddings. */
  readonly embeddings: Float32Array;
  /** `[vocab][embedding]` output projection. */
  readonly output: Float32Array;
  /** RMS-norm epsilon. */
  readonly epsilon: number;
}

/** Options common to the builders. */
export interface ModelOptions {
  /** Directory to write into; the file name is fixed per builder. */
  readonly dir: string;
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Metadata keys to leave out, to build deliberately malformed files for tests. */
  readonly omitMetadata?: readonly string[];
  /** File name (default depends on the builder). */
  readonly fileName?: string;
  /** SentencePiece ("llama", default) or byte-level BPE ("gpt2") tokenizer. */
  readonly tokenizer?: 'spm' | 'bpe';
}

function vocabFor(options: ModelOptions, words: readonly string[]): TestVocab {
  return options.tokenizer === 'bpe' ? buildBpeVocab([...BASE_WORDS, ...words]) : buildSpmVocab(words);
}

const EPSILON = 1e-5;

/** mulberry32: a small seeded PRNG so models are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(n: number, scale: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

function llamaMetadata(shape: LlamaShape, vocab: TestVocab, name: string): Record<string, GgufValue> {
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: name },
    'general.alignment': { type: 'u32', value: 32 },
    'llama.context_length': { type: 'u32', value: shape.contextLength },
    'llama.embedding_length': { type: 'u32', value: shape.embedding },
    'llama.block_count': { type: 'u32', value: shape.blocks },
    'llama.feed_forward_length': { type: 'u32', value: shape.feedForward },
    'llama.attention.head_count': { type: 'u32', value: shape.heads },
    'llama.attention.head_count_kv': { type: 'u32', value: shape.heads },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: EPSILON },
    'llama.rope.dimension_count': { type: 'u32', value: shape.embedding / shape.heads },
    'llama.rope.freq_base': { type: 'f32', value: 10000 },
    ...vocab.metadata(),
  };
}

interface BlockWeights {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  o: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  down: Float32Array;
}

function llamaTensors(
  shape: LlamaShape,
  vocabSize: number,
  embeddings: Float32Array,
  output: Float32Array,
  block: (index: number) => BlockWeights,
): GgufTensor[] {
  const e = shape.embedding;
  const f = shape.feedForward;
  const ones = new Float32Array(e).fill(1);
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [e, vocabSize], data: embeddings },
    { name: 'output_norm.weight', dims: [e], data: ones },
    { name: 'output.weight', dims: [e, vocabSize], data: output },
  ];
  for (let i = 0; i < shape.blocks; i++) {
    const w = block(i);
    const p = `blk.${i}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [e], data: ones },
      { name: `${p}attn_q.weight`, dims: [e, e], data: w.q },
      { name: `${p}attn_k.weight`, dims: [e, e], data: w.k },
      { name: `${p}attn_v.weight`, dims: [e, e], data: w.v },
      { name: `${p}attn_output.weight`, dims: [e, e], data: w.o },
      { name: `${p}ffn_norm.weight`, dims: [e], data: ones },
      { name: `${p}ffn_gate.weight`, dims: [e, f], data: w.gate },
      { name: `${p}ffn_up.weight`, dims: [e, f], data: w.up },
      { name: `${p}ffn_down.weight`, dims: [f, e], data: w.down },
    );
  }
  return tensors;
}

function omit(meta: Record<string, GgufValue>, keys: readonly string[] = []): Record<string, GgufValue> {
  for (const key of keys) delete meta[key];
  return meta;
}

/**
 * Writes the known-answer model: one block whose queries and keys are zero (so attention is uniform
 * over the positions so far), value and output projections are the identity, and the feed-forward
 * weights are zero. The last position's hidden state is therefore
 * `h = e_last + mean_i rmsnorm(e_i)` and the next-token logits are `output · rmsnorm(h)`.
 */
export async function writeKnownAnswerModel(options: ModelOptions): Promise<KnownAnswerModel> {
  const rand = prng(options.seed ?? 1);
  const vocab = vocabFor(options, []);
  const shape: LlamaShape = { embedding: 16, blocks: 1, heads: 2, feedForward: 16, contextLength: 4096 };
  const e = shape.embedding;
  const v = vocab.tokens.length;
  const embeddings = uniform(v * e, 1, rand);
  const output = uniform(v * e, 1, rand);
  const zero = new Float32Array(e * e);
  const zeroF = new Float32Array(e * shape.feedForward);
  const tensors = llamaTensors(shape, v, embeddings, output, () => ({
    q: zero,
    k: zero,
    v: identity(e),
    o: identity(e),
    gate: zeroF,
    up: zeroF,
    down: zeroF,
  }));
  const path = join(options.dir, options.fileName ?? 'known-answer.gguf');
  const metadata = omit(llamaMetadata(shape, vocab, 'known-answer'), options.omitMetadata);
  await writeGguf(path, { metadata, tensors });
  return { path, vocab, shape, embeddings, output, epsilon: EPSILON };
}

/** Options of the random-weight model. */
export interface RandomModelOptions extends ModelOptions {
  readonly shape?: Partial<LlamaShape>;
  /** Extra whole-word tokens (default: a built-in list that brings the vocabulary to ~1000). */
  readonly words?: readonly string[];
}

/** Writes a random-weight llama model (default: 4 blocks, width 256, ~1000 tokens, context 4096). */
export async function writeRandomModel(
  options: RandomModelOptions,
): Promise<{ path: string; shape: LlamaShape }> {
  const rand = prng(options.seed ?? 1);
  const shape: LlamaShape = {
    embedding: 256,
    blocks: 4,
    heads: 4,
    feedForward: 512,
    contextLength: 4096,
    ...options.shape,
  };
  const vocab = vocabFor(options, options.words ?? BENCH_WORDS);
  const e = shape.embedding;
  const f = shape.feedForward;
  const v = vocab.tokens.length;
  const s = 1 / Math.sqrt(e);
  const tensors = llamaTensors(shape, v, uniform(v * e, 1, rand), uniform(v * e, s, rand), () => ({
    q: uniform(e * e, s, rand),
    k: uniform(e * e, s, rand),
    v: uniform(e * e, s, rand),
    o: uniform(e * e, s, rand),
    gate: uniform(e * f, s, rand),
    up: uniform(e * f, s, rand),
    down: uniform(f * e, 1 / Math.sqrt(f), rand),
  }));
  const path = join(options.dir, options.fileName ?? 'random.gguf');
  await writeGguf(path, {
    metadata: omit(llamaMetadata(shape, vocab, 'random'), options.omitMetadata),
    tensors,
  });
  return { path, shape };
}

/** Words that give the benchmark model a vocabulary of about 1000 tokens. */
const BENCH_WORDS: readonly string[] = (
  'read write delete file files path directory shell command execute run network request send email ' +
  'message user users data database query table secret secrets password token key keys credential ' +
  'system admin root access permission permissions policy rule rules allow deny block harmful benign ' +
  'exfiltrate upload download install remove create update list search fetch open close private public ' +
  'internal external server client agent model prompt instruction instructions ignore previous always ' +
  'never must should may only when without with from into onto about against between through during ' +
  'before after above below under again further then once here there where why how all any both each ' +
  'few more most other some such own same than too very can will just don now principle principles ' +
  'constitution classify classification dangerous safe verdict answer question evaluate irreversible ' +
  'destructive financial payment transfer account money personal information privacy disclose'
).split(' ');
