import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GovernedError } from './errors.js';

/**
 * The files of other projects that core loads at run time, by name: the file in core's `vendor/`
 * folder (written by core's build) and the dev dependency's own file read when that folder lacks it
 * (a source checkout before its first build).
 */
export const VENDOR_FILES = Object.freeze({
  'sql-postgresql': { file: 'sql-postgresql.cjs', fallback: 'node-sql-parser/build/postgresql.js' },
  'sql-mysql': { file: 'sql-mysql.cjs', fallback: 'node-sql-parser/build/mysql.js' },
  'sql-sqlite': { file: 'sql-sqlite.cjs', fallback: 'node-sql-parser/build/sqlite.js' },
  'sql-transactsql': { file: 'sql-transactsql.cjs', fallback: 'node-sql-parser/build/transactsql.js' },
  'sql-bigquery': { file: 'sql-bigquery.cjs', fallback: 'node-sql-parser/build/bigquery.js' },
  'tree-sitter-bash': { file: 'tree-sitter-bash.wasm', fallback: 'tree-sitter-bash/tree-sitter-bash.wasm' },
} as const);

/** One of `VENDOR_FILES`' names. */
export type VendorFile = keyof typeof VENDOR_FILES;

/** Where `vendorFilePath` looks: a folder, and whether the dev dependency's own file may stand in. */
interface VendorSource {
  readonly folder: string | undefined;
  readonly fallback: boolean;
}

const CORE_PACKAGE = '@governed-mcp/core';
const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** The folder holding core's package.json, walked up to from this module (`src/` or `dist/src/`). */
function coreRoot(): string | undefined {
  for (let dir = here; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === CORE_PACKAGE)
          return dir;
      } catch {
        // An unreadable manifest is not core's: keep walking.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Core's own `vendor/` folder (found from this module's URL), or undefined outside a core package. */
export function defaultVendorFolder(): string | undefined {
  const root = coreRoot();
  return root === undefined ? undefined : join(root, 'vendor');
}

// Found once, on first use: the walk reads a few manifests.
let source: VendorSource | undefined;

function currentSource(): VendorSource {
  source ??= { folder: defaultVendorFolder(), fallback: true };
  return source;
}

/**
 * The absolute path of a vendored file: core's `vendor/` copy, else the dev dependency's own file.
 * Throws a `GovernedError` (`io_error`) naming both places when neither exists; the detectors that
 * load the file then deny (fail-closed).
 * @example
 * const wasm = vendorFilePath('tree-sitter-bash');
 */
export function vendorFilePath(name: VendorFile): string {
  const { file, fallback } = VENDOR_FILES[name];
  const { folder, fallback: mayFallBack } = currentSource();
  const vendored = folder === undefined ? undefined : join(folder, file);
  if (vendored !== undefined && existsSync(vendored)) return vendored;
  if (mayFallBack) {
    try {
      return requireHere.resolve(fallback);
    } catch {
      // Not installed (the published package carries only the vendored copy): reported below.
    }
  }
  const looked = vendored ?? `the vendor/ folder of ${CORE_PACKAGE} (not found)`;
  throw new GovernedError(
    ErrorCode.Io,
    `${CORE_PACKAGE} cannot find ${file}: looked for ${looked}${mayFallBack ? ` and ${fallback}` : ''}; reinstall the package or run its build`,
  );
}

/**
 * Points `vendorFilePath` at `folder` (with or without the dev-dependency fallback) until the returned
 * function restores the previous place. Exists so that tests can reach the missing-file path; the gate
 * never calls it.
 */
export function useVendorFolder(folder: string, options: { fallback?: boolean } = {}): () => void {
  const previous = source;
  source = { folder, fallback: options.fallback ?? true };
  return () => {
    source = previous;
  };
}
