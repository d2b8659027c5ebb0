import { writeFile } from 'node:fs/promises';

/**
 * A minimal GGUF v3 writer: metadata and F32 tensors. Enough to build the tiny models the project
 * tests and benchmarks with, since no model may be downloaded.
 */

/** A typed GGUF metadata value. Only the types the test models need. */
export type GgufValue =
  | { readonly type: 'u32'; readonly value: number }
  | { readonly type: 'i32'; readonly value: number }
  | { readonly type: 'f32'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'string[]'; readonly value: readonly string[] }
  | { readonly type: 'f32[]'; readonly value: ArrayLike<number> }
  | { readonly type: 'i32[]'; readonly value: ArrayLike<number> };

/** One F32 tensor. `dims` lists the contiguous dimension first, as GGUF does. */
export interface GgufTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** What a GGUF file holds. */
export interface GgufContent {
  readonly metadata: Readonly<Record<string, GgufValue>>;
  readonly tensors: readonly GgufTensor[];
}

const ALIGNMENT = 32;
const T_U32 = 4;
const T_I32 = 5;
const T_F32 = 6;
const T_BOOL = 7;
const T_STRING = 8;
const T_ARRAY = 9;
const GGML_F32 = 0;

/** Growable little-endian byte sink. */
class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  pad(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case 'u32':
      sink.u32(T_U32);
      sink.u32(value.value);
      return;
    case 'i32':
      sink.u32(T_I32);
      sink.i32(value.value);
      return;
    case 'f32':
      sink.u32(T_F32);
      sink.f32(value.value);
      return;
    case 'bool':
      sink.u32(T_BOOL);
      sink.u8(value.value ? 1 : 0);
      return;
    case 'string':
      sink.u32(T_STRING);
      sink.str(value.value);
      return;
    case 'string[]':
      sink.u32(T_ARRAY);
      sink.u32(T_STRING);
      sink.u64(value.value.length);
      for (const s of value.value) sink.str(s);
      return;
    case 'f32[]':
      sink.u32(T_ARRAY);
      sink.u32(T_F32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.f32(value.value[i] ?? 0);
      return;
    case 'i32[]':
      sink.u32(T_ARRAY);
      sink.u32(T_I32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.i32(value.value[i] ?? 0);
      return;
  }
}

/** Serializes a GGUF v3 file into bytes. */
export function encodeGguf(content: GgufContent): Uint8Array {
  const sink = new ByteSink();
  sink.bytes(new TextEncoder().encode('GGUF'));
  sink.u32(3);
  sink.u64(content.tensors.length);
  const entries = Object.entries(content.metadata);
  sink.u64(entries.length);
  for (const [key, value] of entries) {
    sink.str(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const t of content.tensors) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new RangeError(`tensor ${t.name}: dims hold ${count} values, data has ${t.data.length}`);
    }
    sink.str(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(GGML_F32);
    sink.u64(offset);
    offset += Math.ceil((t.data.length * 4) / ALIGNMENT) * ALIGNMENT;
  }
  sink.pad(ALIGNMENT);
  for (const t of content.tensors) {
    sink.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    sink.pad(ALIGNMENT);
  }
  return sink.result();
}

/** Writes a GGUF v3 file. */
export async function writeGguf(path: string, content: GgufContent): Promise<void> {
  await writeFile(path, encodeGguf(content));
}
