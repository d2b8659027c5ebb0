// Worker thread of the parallel verifier: checks each line of a batch on its own (parse and hash) and
// the links inside the batch, and sends back what the main thread needs to join it to the chain.
import { parentPort } from 'node:worker_threads';
import { blake3Ready } from './hash.js';
import { checkSegment } from './verify.js';

// The fast Blake3 loads before the first batch is taken (the portable one if it cannot).
await blake3Ready();

parentPort?.on('message', (msg: { id: number; bytes: Uint8Array; expectHead?: string }) => {
  parentPort?.postMessage({ id: msg.id, segment: checkSegment(msg.bytes, msg.expectHead) });
});
