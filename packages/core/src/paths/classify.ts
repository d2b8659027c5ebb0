/**
 * Path classification shared by the pre-filter, the shell analysis and the gate-state layer.
 * (Interface first; the implementation follows.)
 */

/** What a path is, for the gate: files that run on their own, secrets, system files. */
export type PathClass = 'code-loading' | 'credential' | 'system';

/** Where a path is interpreted: the home directory, the working directory, the user name. */
export interface PathEnv {
  readonly home: string;
  readonly cwd: string;
  readonly user?: string;
}

/** A normalised path and its classes. */
export interface PathVerdict {
  /** Absolute, `~`/`$HOME` expanded, dot segments and trailing slashes removed. */
  readonly normalized: string;
  readonly classes: readonly PathClass[];
}

/** Normalises `raw` (a path as an agent wrote it) and classifies it; undefined when it is not a path. */
export function classifyPath(raw: string, _env?: PathEnv): PathVerdict | undefined {
  if (raw.length === 0) return undefined;
  return { normalized: raw, classes: [] };
}
