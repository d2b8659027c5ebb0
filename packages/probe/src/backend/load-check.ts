import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeErrorCode, probeError } from '../errors.js';
import { llamaRuntimeUrl } from './llama-runtime.js';

/**
 * Loads a model once in a child process before the gate loads it in its own. A native abort that the
 * header checks did not foresee then kills only the child, and the model is refused with
 * `probe_model_invalid`. Costs one extra load, so it is opt-in (`validateInChild`).
 */
export async function loadInChild(modelPath: string, timeoutMs = 120_000): Promise<void> {
  const entry = llamaRuntimeUrl();
  const script = `const { getLlama } = await import(${JSON.stringify(entry)});
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'disabled' });
const model = await llama.loadModel({ modelPath: process.argv[2], gpuLayers: 0 });
await model.dispose();
process.stdout.write('ok');`;
  // A script file, not `-e`: node-llama-cpp re-runs the process's arguments to test its binary.
  const dir = await mkdtemp(join(tmpdir(), 'probe-load-'));
  const file = join(dir, 'load.mjs');
  await writeFile(file, script);
  const child = spawn(process.execPath, [file, modelPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' },
    timeout: timeoutMs,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  }).finally(() => rm(dir, { recursive: true, force: true }));
  if (code !== 0 || out !== 'ok') {
    const why = signal !== null ? `the loader died with ${signal}` : `the loader exited with ${code}`;
    throw probeError(
      ProbeErrorCode.ModelInvalid,
      `model ${modelPath} failed a trial load: ${why}: ${err.slice(-300)}`,
    );
  }
}
