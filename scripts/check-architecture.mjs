#!/usr/bin/env node
// Architecture checks anyone can run (`pnpm -s check:architecture`); exit 1 on any violation.
//
// 1. No package's root entry loads the model runtime (node-llama-cpp): each root entry is imported in
//    a fresh Node process in which node-llama-cpp cannot be resolved, as in a project that did not
//    install the optional peer. An import that needs it fails, and so does this check.
// 2. No import cycle inside any package's src/ (type-only imports count: a cycle of types is still a
//    knot a reader has to untie). Edges are read with TypeScript's own pre-processor.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME = 'node-llama-cpp';

const HIDE_RUNTIME = `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === '${RUNTIME}' || specifier.startsWith('${RUNTIME}/')) {
    const err = new Error('the root entry imported ${RUNTIME}');
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`)}`;

function packages() {
  const dir = join(ROOT, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => statSync(join(p, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((p) => ({ dir: p, manifest: JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) }));
}

/** Imports `name`'s root entry (its sources) with the runtime unresolvable; returns an error or undefined. */
function rootEntryLoadsRuntime(name) {
  const body = `import { register } from 'node:module';
register(${JSON.stringify(HIDE_RUNTIME)});
await import(${JSON.stringify(name)});`;
  const r = spawnSync(
    process.execPath,
    ['--conditions=@governed-mcp/source', '--import', 'tsx', '--input-type=module', '-e', body],
    { cwd: join(ROOT, 'test'), encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status === 0) return undefined;
  return (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(0, 6).join('\n');
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative imports of a file (value and type), as absolute .ts paths. */
function edges(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle's strongly connected component (Tarjan), as lists of files. */
function cycles(files) {
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, edges(f).filter((t) => known.has(t))]));
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (scc.length > 1 || selfLoop) found.push(scc);
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return found;
}

// `--cycles-in DIR`: only the cycle check, on one folder (e.g. an older checkout's mediation/).
const at = process.argv.indexOf('--cycles-in');
if (at !== -1) {
  const dir = resolve(process.argv[at + 1] ?? '.');
  const found = cycles(sourceFiles(dir));
  for (const scc of found)
    process.stderr.write(`import cycle among ${scc.map((f) => relative(dir, f)).join(', ')}\n`);
  process.stdout.write(`${JSON.stringify({ ok: found.length === 0, cycles: found.length })}\n`);
  process.exit(found.length === 0 ? 0 : 1);
}

const failures = [];
const report = { runtime: {}, cycles: {} };
for (const { dir, manifest } of packages()) {
  if (manifest.private === true) continue;
  const loads = rootEntryLoadsRuntime(manifest.name);
  report.runtime[manifest.name] = loads === undefined ? 'ok' : 'loads node-llama-cpp';
  if (loads !== undefined) failures.push(`${manifest.name}: its root entry imports ${RUNTIME}:\n${loads}`);
  const files = sourceFiles(join(dir, 'src'));
  const found = cycles(files);
  report.cycles[manifest.name] = found.length;
  for (const scc of found) {
    failures.push(`${manifest.name}: import cycle among ${scc.map((f) => relative(ROOT, f)).join(', ')}`);
  }
}
process.stdout.write(`${JSON.stringify({ ok: failures.length === 0, ...report })}\n`);
for (const f of failures) process.stderr.write(`check-architecture: ${f}\n`);
process.exitCode = failures.length === 0 ? 0 : 1;
