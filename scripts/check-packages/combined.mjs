// The combined scratch project: every tarball installed together, the README's snippets typechecked
// under NodeNext and Bundler resolution, compiled, and run (servers driven by a real MCP client).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess, tail } from './exec.mjs';
import { attributeDiagnostics, isOwnDiagnostic, isStdioServer } from './snippets.mjs';

const RUN_LIMIT_MS = 30_000;

const COMMON_OPTIONS = {
  // No `lib`: the target's default (DOM included), as a project made by `tsc --init` has.
  target: 'ES2022',
  strict: true,
  // Off on purpose: the shipped .d.ts files must compile as a user's project sees them.
  skipLibCheck: false,
  types: ['node'],
  rootDir: 'src',
  outDir: 'dist',
  noEmit: true,
};

/** The two ways a user's TypeScript resolves packages: Node's own rules, and a bundler's. */
export const RESOLUTIONS = {
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
};

/** Writes the snippets to `src/` and one tsconfig per resolution mode. */
export async function writeSnippetProject(dir, snippets) {
  await mkdir(join(dir, 'src'), { recursive: true });
  for (const { file, code } of snippets) await writeFile(join(dir, 'src', file), code);
  for (const [mode, options] of Object.entries(RESOLUTIONS)) {
    const config = { compilerOptions: { ...COMMON_OPTIONS, ...options }, include: ['src'] };
    await writeFile(join(dir, `tsconfig.${mode}.json`), `${JSON.stringify(config, null, 2)}\n`);
  }
}

const LISTED_FILE = /^(\/|[A-Za-z]:[\\/]).*\.[cm]?[jt]sx?$/;

/**
 * Typechecks under one resolution mode, emitting JavaScript to `dist/` when `emit` is set (even where
 * types fail, so each snippet can still be run). Returns the messages per snippet, the message groups
 * about the checked packages' own `.d.ts` files (or about no file), the groups about other packages'
 * files, and the installed packages whose type declarations entered the program.
 */
export async function typecheck(dir, mode, files, packageNames, { emit = false } = {}) {
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', `tsconfig.${mode}.json`, '--pretty', 'false', '--listFiles'];
  if (emit) args.push('--noEmit', 'false', '--noEmitOnError', 'false');
  const result = await runProcess(process.execPath, args, { cwd: dir });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n');
  const listed = lines.filter((line) => LISTED_FILE.test(line));
  const diagnostics = lines.filter((line) => !LISTED_FILE.test(line)).join('\n');
  const { perFile, other } = attributeDiagnostics(diagnostics, files);
  const own = other.filter((group) => isOwnDiagnostic(group, packageNames));
  const foreign = other.filter((group) => !isOwnDiagnostic(group, packageNames));
  if (result.code !== 0 && other.length === 0 && [...perFile.values()].every((l) => l.length === 0))
    own.push({ file: undefined, lines: [`tsc exited ${result.code}: ${tail(result)}`] });
  const typePackages = new Set();
  for (const line of listed) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line.replace(/\\/g, '/'));
    if (match?.[1] !== undefined) typePackages.add(match[1]);
  }
  return { perFile, own, foreign, typePackages: [...typePackages].sort() };
}

function judgeServer(report) {
  if (report.error !== undefined) return { ok: false, why: `the server did not serve: ${report.error}` };
  if (report.tools.length === 0) return { ok: false, why: 'the server lists no tools' };
  if (report.writer === undefined) return { ok: true, why: 'no file-writing tool to probe' };
  if (report.benign.refused)
    return { ok: false, why: `the ordinary write was refused: ${report.benign.text}` };
  if (!report.hostile.refused)
    return {
      ok: false,
      why: `the write to ../../etc/cron.d with a curl | bash payload went through: ${report.hostile.text}`,
    };
  return { ok: true, why: 'ordinary write served, hostile write refused' };
}

/**
 * Runs one compiled snippet in its own working folder: a stdio server is driven by `drive-server.mjs`
 * (copied into the project so it uses the project's SDK); anything else must exit 0 within 30 s.
 */
export async function runSnippet(dir, { file, code }, driverSource) {
  const compiled = join(dir, 'dist', file.replace(/\.(m)?ts$/, '.$1js'));
  const work = join(dir, 'work', file.replace(/\.(m)?ts$/, ''));
  await mkdir(work, { recursive: true });
  if (isStdioServer(code)) {
    const driver = join(dir, 'drive-server.mjs');
    await copyFile(driverSource, driver);
    const result = await runProcess(process.execPath, [driver, compiled], {
      cwd: work,
      timeoutMs: RUN_LIMIT_MS,
    });
    let report;
    try {
      report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
    } catch {
      return { kind: 'stdio-server', ok: false, why: `the driver printed no report:\n${tail(result)}` };
    }
    return { kind: 'stdio-server', ...judgeServer(report), report };
  }
  const result = await runProcess(process.execPath, [compiled], { cwd: work, timeoutMs: RUN_LIMIT_MS });
  const ok = result.code === 0;
  const why = result.timedOut
    ? 'still running after 30 s'
    : ok
      ? 'exit 0'
      : `exit ${result.code}:\n${tail(result)}`;
  return { kind: 'script', ok, why, output: tail(result, 4) };
}

/** Runs each installed bin with `--version` and `--help`, as `node_modules/.bin/NAME`. */
export async function checkBins(dir, bins) {
  const out = {};
  for (const bin of bins) {
    const path = join(dir, 'node_modules', '.bin', bin);
    const version = await runProcess(path, ['--version'], { cwd: dir, timeoutMs: RUN_LIMIT_MS });
    const help = await runProcess(path, ['--help'], { cwd: dir, timeoutMs: RUN_LIMIT_MS });
    out[bin] = {
      version: version.code === 0 && version.stdout.trim() !== '',
      version_output: version.stdout.trim().split('\n')[0] ?? '',
      help: help.code === 0,
    };
  }
  return out;
}
