// Scratch projects outside the workspace: install tarballs with plain npm, then measure what came in.

import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { runProcess, tail } from './exec.mjs';

const MODEL_RUNTIME = /(^|\/)node_modules\/(node-llama-cpp|@node-llama-cpp\/[^/]+)$/;

/**
 * Writes a scratch project's package.json: ESM, the given dependencies, and overrides that send every
 * other workspace package to its tarball (the registry does not have them).
 */
export async function writeScratchManifest(dir, name, dependencies, overrides) {
  const manifest = { name, version: '0.0.0', private: true, type: 'module', dependencies, overrides };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Fails (resolves with a message) unless `dir` lies outside `workspaceRoot`, none of `probeNames`
 * resolves from it before the install, and no folder above it has a node_modules.
 */
export async function checkIsolated(dir, workspaceRoot, probeNames) {
  const rel = relative(workspaceRoot, dir);
  if (rel === '' || !(rel.startsWith('..') || resolvePath(rel) === rel))
    return `scratch project ${dir} lies inside the workspace`;
  const require = createRequire(join(dir, 'package.json'));
  for (const name of probeNames) {
    try {
      const found = require.resolve(name);
      return `${name} resolves from the empty scratch project (${found}); the check would not be isolated`;
    } catch {
      // expected: nothing is installed yet
    }
  }
  for (let up = dirname(dir); dirname(up) !== up; up = dirname(up))
    if (existsSync(join(up, 'node_modules')))
      return `${join(up, 'node_modules')} lies above the scratch project; packages there would resolve too`;
  return undefined;
}

/** `npm install` without audit or funding noise, and without node-llama-cpp's model download. */
export async function npmInstall(dir) {
  const env = { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true', npm_config_loglevel: 'error' };
  for (const key of Object.keys(env))
    if (key.startsWith('npm_package_') || key === 'npm_config_prefix') delete env[key];
  const result = await runProcess('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env });
  return result.code === 0 ? undefined : `npm install failed:\n${tail(result, 20)}`;
}

/** Apparent bytes under `path`; with `ownOnly`, a package's nested node_modules are left out. */
async function bytesUnder(path, ownOnly = false) {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;
  const entries = (await readdir(path)).filter((entry) => !(ownOnly && entry === 'node_modules'));
  const sizes = await Promise.all(entries.map((entry) => bytesUnder(join(path, entry), ownOnly)));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * What an install brought: apparent bytes of node_modules (like `du -sb`), the number of packages in
 * npm's lockfile, the heaviest of them, and whether (and how heavily) node-llama-cpp came along.
 */
export async function measureInstall(dir, heaviestCount = 5) {
  const lock = JSON.parse(await readFile(join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
  const keys = Object.keys(lock.packages ?? {}).filter((key) => key.includes('node_modules/'));
  const sizes = await Promise.all(
    keys.map(async (key) => ({ key, bytes: await bytesUnder(join(dir, key), true) })),
  );
  const runtime = sizes.filter(({ key }) => MODEL_RUNTIME.test(key));
  const heaviest = [...sizes]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, heaviestCount)
    .map(({ key, bytes }) => ({ name: key.replace(/^.*node_modules\//, ''), bytes }));
  return {
    bytes: await bytesUnder(join(dir, 'node_modules')),
    packages: keys.length,
    heaviest,
    hasNodeLlamaCpp: runtime.some(({ key }) => key.endsWith('node_modules/node-llama-cpp')),
    modelRuntimeBytes: runtime.reduce((total, { bytes }) => total + bytes, 0),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Root-import time: the median wall time of `runs` fresh processes importing `specifier`, minus the
 * median of as many empty processes, interleaved so that machine drift hits both alike.
 */
export async function timeImport(dir, specifier, runs) {
  const baseline = [];
  const importing = [];
  const source = `await import(${JSON.stringify(specifier)});`;
  for (let i = 0; i < runs; i += 1) {
    const empty = await runProcess(process.execPath, ['--input-type=module', '-e', ''], { cwd: dir });
    const loaded = await runProcess(process.execPath, ['--input-type=module', '-e', source], { cwd: dir });
    if (loaded.code !== 0) return { error: `import('${specifier}') failed:\n${tail(loaded)}` };
    baseline.push(empty.ms);
    importing.push(loaded.ms);
  }
  return { importMs: median(importing) - median(baseline), baselineMs: median(baseline) };
}

/**
 * Imports `specifier` once with every resolution traced; returns the URLs under node-llama-cpp it
 * reached (ESM resolutions and CommonJS cache entries), or the import's error.
 */
export async function traceImport(dir, specifier, hookPath) {
  const traceFile = join(dir, `.trace-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(traceFile, '');
  const source = [
    `await import(${JSON.stringify(specifier)});`,
    `const { createRequire } = await import('node:module');`,
    `const cache = Object.keys(createRequire(import.meta.url).cache);`,
    `console.log(JSON.stringify(cache));`,
  ].join('\n');
  const result = await runProcess(
    process.execPath,
    ['--import', hookPath, '--input-type=module', '-e', source],
    {
      cwd: dir,
      env: { ...process.env, GMCP_TRACE_FILE: traceFile },
      timeoutMs: 60_000,
    },
  );
  const resolved = (await readFile(traceFile, 'utf8')).split('\n');
  await rm(traceFile, { force: true });
  if (result.code !== 0) return { error: `import('${specifier}') failed:\n${tail(result)}` };
  let cached = [];
  try {
    cached = JSON.parse(result.stdout.trim().split('\n').pop() ?? '[]');
  } catch {
    // no cache listing: only the ESM trace counts
  }
  const llama = [...resolved, ...cached].filter((url) =>
    /[/\\]node-llama-cpp[/\\]|@node-llama-cpp/.test(url),
  );
  return { llama, resolvedCount: resolved.filter((line) => line !== '').length };
}
