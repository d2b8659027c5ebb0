// hash-wasm's single-algorithm Blake3 build (UMD, loaded with a dynamic import); its types are those of
// `hash-wasm`'s `createBLAKE3`, of which the audit chain uses the synchronous hasher.
declare module 'hash-wasm/dist/blake3.umd.min.js' {
  export function createBLAKE3(): Promise<{
    init(): unknown;
    update(data: Uint8Array): unknown;
    digest(encoding: 'hex'): string;
  }>;
}
