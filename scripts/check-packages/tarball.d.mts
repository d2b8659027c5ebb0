/** One leaf of an `exports` map: its subpath, the conditions leading to it, and the file it names. */
export interface ExportTarget {
  readonly subpath: string;
  readonly conditions: readonly string[];
  readonly target: string;
}

/** One finding about a tarball, with a string code. */
export interface TarballProblem {
  readonly code: string;
  readonly message: string;
}

/** The export condition that points the workspace at TypeScript sources. */
export declare const SOURCE_CONDITION: '@governed-mcp/source';
/** Files every published package carries besides its code. */
export declare const REQUIRED_FILES: readonly string[];
/** Every leaf target of an `exports` map. */
export declare function exportTargets(exportsField: unknown): ExportTarget[];
/** Checks one tarball's packed manifest and file list. */
export declare function checkTarball(tarball: {
  readonly manifest: Record<string, unknown>;
  readonly rawManifest: string;
  readonly files: readonly string[];
}): { failures: TarballProblem[]; notes: TarballProblem[] };
