#!/usr/bin/env node
// Packs every publishable package, installs each tarball with plain npm in a scratch project outside
// the workspace, measures install size and root-import time, and compiles and runs the README's
// snippets against the installed packages. Prints one JSON report on stdout; exits 0 only when every
// check passed.
//
//   node scripts/check-packages.mjs [--skip-build] [--no-fail-on-missing-files] [--readme FILE]
//                                   [--runs N] [--keep]
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkBins,
  RESOLUTIONS,
  runSnippet,
  typecheck,
  writeSnippetProject,
} from './check-packages/combined.mjs';
import { progress } from './check-packages/exec.mjs';
import {
  checkIsolated,
  measureInstall,
  npmInstall,
  timeImport,
  traceImport,
  writeScratchManifest,
} from './check-packages/scratch.mjs';
import { extractSnippets } from './check-packages/snippets.mjs';
import { checkTarball, exportTargets } from './check-packages/tarball.mjs';
import { buildAll, listPublishable, packPackage, readTarball } from './check-packages/workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const { values: flags } = parseArgs({
  options: {
    'skip-build': { type: 'boolean', default: false },
    'no-fail-on-missing-files': { type: 'boolean', default: false },
    readme: { type: 'string', default: join(root, 'README.md') },
    runs: { type: 'string', default: '7' },
    keep: { type: 'boolean', default: false },
  },
});
const runs = Number.parseInt(flags.runs, 10);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, not ${flags.runs}`);

const failures = [];
const warnings = [];
const notes = [];
function fail(code, subject, message) {
  failures.push({ code, subject, message });
  progress(`FAIL ${subject}: ${message.split('\n')[0]}`);
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const slug = (name) => name.replace(/^@/, '').replace(/\//g, '-');
const MB = 1024 * 1024;

const scratchRoot = await mkdtemp(join(tmpdir(), 'gmcp-check-packages-'));
progress(`scratch folder ${scratchRoot}`);
const report = { packages: {}, snippets: {}, bins: {}, failures, warnings, notes };

try {
  // 1. Build, pack, and check each tarball's contents.
  if (!flags['skip-build']) {
    progress('building every package');
    const buildError = await buildAll(root);
    if (buildError !== undefined) fail('build_failed', 'workspace', buildError);
  }
  const packages = await listPublishable(root);
  const tarballs = new Map();
  const packed = await Promise.all(
    packages.map(async (pkg) => {
      progress(`packing ${pkg.name}`);
      const destination = join(scratchRoot, 'tarballs', slug(pkg.name));
      await mkdir(destination, { recursive: true });
      return { pkg, ...(await packPackage(pkg.dir, destination)) };
    }),
  );
  for (const { pkg, tarball, error } of packed) {
    if (error !== undefined) {
      fail('pack_failed', pkg.name, error);
      continue;
    }
    const contents = await readTarball(tarball);
    tarballs.set(pkg.name, { path: tarball, ...contents });
    const checked = checkTarball(contents);
    for (const problem of checked.failures) {
      if (problem.code === 'missing_file' && flags['no-fail-on-missing-files'])
        warnings.push({ ...problem, subject: pkg.name });
      else fail(problem.code, pkg.name, problem.message);
    }
    for (const note of checked.notes) notes.push({ ...note, subject: pkg.name });
    report.packages[pkg.name] = {
      tarball_kb: round(contents.bytes / 1024),
      tarball_files: contents.files.length,
    };
  }
  const fileSpec = (name) => `file:${tarballs.get(name).path}`;
  const names = [...tarballs.keys()];

  // 2. Each package alone, in a project of its own; and 3. everything together, with TypeScript and
  // the MCP SDK, for the README's snippets. All installs run at once; measuring waits for them all.
  const singleInstalls = Promise.all(
    names.map(async (name) => {
      const dir = join(scratchRoot, slug(name));
      await mkdir(dir);
      const overrides = Object.fromEntries(names.filter((n) => n !== name).map((n) => [n, fileSpec(n)]));
      await writeScratchManifest(dir, `scratch-${slug(name)}`, { [name]: fileSpec(name) }, overrides);
      const leak = await checkIsolated(dir, root, names);
      if (leak !== undefined) return { name, dir, error: ['not_isolated', leak] };
      progress(`installing ${name} alone`);
      const error = await npmInstall(dir);
      progress(`installed ${name}`);
      return { name, dir, error: error === undefined ? undefined : ['install_failed', error] };
    }),
  );
  const combinedDir = join(scratchRoot, 'combined');
  await mkdir(combinedDir);
  const rangeOf = (dependency) =>
    packages.map((p) => p.manifest.dependencies?.[dependency]).find((r) => r !== undefined) ?? 'latest';
  await writeScratchManifest(
    combinedDir,
    'scratch-combined',
    {
      ...Object.fromEntries(names.map((n) => [n, fileSpec(n)])),
      '@modelcontextprotocol/sdk': rangeOf('@modelcontextprotocol/sdk'),
      '@types/node': '^20',
      typescript: '~5.9',
      zod: rangeOf('zod'),
    },
    Object.fromEntries(names.map((n) => [n, `$${n}`])),
  );
  const combinedLeak = await checkIsolated(combinedDir, root, names);
  const combinedInstall = (async () => {
    if (combinedLeak !== undefined) return ['not_isolated', combinedLeak];
    progress('installing every package together');
    const error = await npmInstall(combinedDir);
    progress('installed every package together');
    return error === undefined ? undefined : ['install_failed', error];
  })();
  const [single, combinedProblem] = await Promise.all([singleInstalls, combinedInstall]);
  if (combinedProblem !== undefined) fail(combinedProblem[0], 'combined', combinedProblem[1]);

  const hook = join(here, 'check-packages', 'trace-resolve.mjs');
  for (const { name, dir, error } of single) {
    if (error !== undefined) {
      fail(error[0], name, error[1]);
      continue;
    }
    progress(`measuring ${name}`);
    const entry = report.packages[name];
    const installed = await measureInstall(dir);
    entry.install_mb = round(installed.bytes / MB);
    entry.install_packages = installed.packages;
    entry.has_node_llama_cpp = installed.hasNodeLlamaCpp;
    entry.model_runtime_mb = round(installed.modelRuntimeBytes / MB);
    entry.heaviest = installed.heaviest.map(({ name: heavy, bytes }) => `${heavy} ${round(bytes / MB)} MB`);
    const timed = await timeImport(dir, name, runs);
    if (timed.error !== undefined) fail('root_import_failed', name, timed.error);
    else {
      entry.import_ms = round(timed.importMs);
      entry.baseline_ms = round(timed.baselineMs);
    }
    entry.entries = {};
    const subpaths = [...new Set(exportTargets(tarballs.get(name).manifest.exports).map((t) => t.subpath))];
    for (const subpath of subpaths.filter((s) => !s.includes('*'))) {
      const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
      const traced = await traceImport(dir, specifier, hook);
      if (traced.error !== undefined) {
        fail('entry_import_failed', specifier, traced.error);
        entry.entries[subpath] = { imports: false };
        continue;
      }
      const loads = traced.llama.length > 0;
      entry.entries[subpath] = {
        imports: true,
        loads_node_llama_cpp: loads,
        modules_resolved: traced.resolvedCount,
      };
      if (subpath === '.') {
        entry.loads_node_llama_cpp = loads;
        if (loads)
          fail(
            'root_loads_model_runtime',
            name,
            `importing ${name} loads node-llama-cpp (${traced.llama[0]})`,
          );
      }
    }
  }

  // 4. The README's snippets, typechecked twice, compiled and run.
  if (combinedProblem === undefined) {
    const markdown = await readFile(flags.readme, 'utf8');
    let { snippets, problems } = extractSnippets(markdown);
    for (const problem of problems) fail(problem.code, flags.readme, problem.message);
    report.snippet_source = flags.readme;
    if (snippets.length === 0) {
      fail(
        'no_snippets',
        flags.readme,
        'no ```ts block starts with `// file: NAME.ts`; checked the fixture instead',
      );
      const fixture = join(here, 'check-packages', 'fixture-readme.md');
      snippets = extractSnippets(await readFile(fixture, 'utf8')).snippets;
      report.snippet_source = fixture;
    }
    await writeSnippetProject(combinedDir, snippets);
    const files = snippets.map((s) => s.file);
    for (const file of files) report.snippets[file] = {};
    report.typecheck = {};
    for (const mode of Object.keys(RESOLUTIONS)) {
      progress(`typechecking the snippets (${mode})`);
      // The NodeNext pass also emits the JavaScript that is run below.
      const emit = mode === 'nodenext';
      const { perFile, own, foreign, typePackages } = await typecheck(combinedDir, mode, files, names, {
        emit,
      });
      report.typecheck[mode] = {
        own_errors: own.length,
        third_party_errors: foreign.length,
        node_llama_cpp_types_in_program: typePackages.includes('node-llama-cpp'),
      };
      for (const group of own) fail(`typecheck_${mode}`, group.file ?? 'tsc', group.lines.join('\n'));
      for (const group of foreign)
        warnings.push({
          code: `third_party_types_${mode}`,
          subject: group.file,
          message: group.lines.join('\n'),
        });
      for (const file of files) {
        const messages = perFile.get(file) ?? [];
        report.snippets[file][mode] = messages.length === 0 && own.length === 0;
        if (messages.length > 0) fail(`typecheck_${mode}`, file, messages.slice(0, 20).join('\n'));
      }
    }
    for (const snippet of snippets) {
      progress(`running ${snippet.file}`);
      const ran = await runSnippet(combinedDir, snippet, join(here, 'check-packages', 'drive-server.mjs'));
      Object.assign(report.snippets[snippet.file], { ran: ran.ok, kind: ran.kind, detail: ran.why });
      if (ran.report !== undefined) report.snippets[snippet.file].server = ran.report;
      if (!ran.ok) fail('snippet_failed', snippet.file, ran.why);
    }
    const bins = [...tarballs.values()].flatMap(({ manifest }) =>
      typeof manifest.bin === 'string' ? [manifest.name.split('/').pop()] : Object.keys(manifest.bin ?? {}),
    );
    report.bins = await checkBins(combinedDir, bins);
    for (const [bin, result] of Object.entries(report.bins)) {
      if (!result.version && !result.help)
        fail('bin_failed', bin, `${bin} answers neither --version nor --help`);
      else if (!result.version) fail('bin_without_version', bin, `${bin} --version does not exit 0`);
    }
  }
} catch (error) {
  fail(
    'check_crashed',
    'check-packages',
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
} finally {
  if (flags.keep) progress(`kept ${scratchRoot}`);
  else await rm(scratchRoot, { recursive: true, force: true });
}

report.ok = failures.length === 0;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.ok ? 0 : 1;
