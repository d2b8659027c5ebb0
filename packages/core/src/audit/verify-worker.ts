// Worker thread of the parallel verifier: checks each line of a batch on its own (parse and hash) and
// sends back the link fields; the main thread follows the chain.
import { parentPort } from 'node:worker_threads';
import { blake3Ready } from './hash.js';
import { checkRecordLine } from './record.js';
import { type LinkCheck, linkOf } from './verify.js';

// The fast Blake3 loads before the first batch is taken (the portable one if it cannot).
await blake3Ready();

parentPort?.on('message', (msg: { id: number; bytes: Uint8Array }) => {
  const buf = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
  const results: LinkCheck[] = [];
  let start = 0;
  let nl = buf.indexOf(0x0a, start);
  while (nl >= 0) {
    results.push(linkOf(checkRecordLine(buf.toString('utf8', start, nl))));
    start = nl + 1;
    nl = buf.indexOf(0x0a, start);
  }
  parentPort?.postMessage({ id: msg.id, results });
});
