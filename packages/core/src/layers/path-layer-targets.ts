import { compileGlob } from '../names/glob.js';
import type { PathEnv } from '../paths/classify.js';
import type { PathCandidate } from '../paths/extract.js';
import type { PathEntry } from '../paths/path-fact.js';
import { fileId } from '../paths/resolve-on-disk.js';

/** What of the gate's state a denied call targeted (in `reason.data.target`). */
export const GateStateTarget = {
  OwnFile: "the gate's own file",
  Directory: "a directory that holds the gate's own file",
  HardLink: "a hard link to the gate's own file",
  ClientConfig: "an MCP client's configuration",
} as const;

/** One of the gate-state targets. */
export type GateStateTarget = (typeof GateStateTarget)[keyof typeof GateStateTarget];

/** How a candidate is matched against the protected files. */
export interface TargetOptions {
  readonly env: PathEnv;
  /** The call may change files (not a read-only tool). */
  readonly mutating: boolean;
  readonly onDisk: boolean;
}

// Keys whose value is where a command runs, not what it changes.
const WORKDIR_KEY = /^(?:cwd|workdir|working_?dir(?:ectory)?|root|project(?:_?dir)?)$/i;

function basename(p: string): string {
  const t = p.replace(/[/\\]+$/, '');
  return t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\')) + 1);
}

/**
 * Which protected file a path candidate targets, if any: the same path (case-folded, normalised or
 * resolved), a glob that matches one, a bare name in a command, a hard link (same device and
 * inode), or a directory above one when the call may move or delete it.
 */
export async function protectedTarget(
  c: PathCandidate,
  entry: PathEntry | undefined,
  forms: readonly string[],
  o: TargetOptions,
): Promise<GateStateTarget | undefined> {
  if (forms.length === 0) return undefined;
  const keys = forms.map((f) => f.toLowerCase());
  const names = new Set(keys.map(basename));
  // A bare name in a command: the shell may have changed directory first, so the name is enough.
  if (c.source === 'word' && !/[/\\]/.test(c.raw) && names.has(basename(c.raw).toLowerCase()))
    return GateStateTarget.OwnFile;
  if (entry === undefined) return undefined;
  for (const form of entry.resolved === undefined ? [entry.normalized] : [entry.normalized, entry.resolved]) {
    const k = form.toLowerCase();
    if (keys.includes(k)) return GateStateTarget.OwnFile;
    const mayMove = c.source === 'value' ? !WORKDIR_KEY.test(c.key) : c.mutates === true;
    // A glob names every file it matches; in a command that only reads (`ls *`, `grep x *`) it
    // changes none of them, so only a writing command's glob (or a tool's path value) targets.
    if (/[*?[]/.test(k) && (c.source === 'value' || c.writes === true)) {
      const test = compileGlob(k, 'path');
      if (keys.some((p) => test(p))) return GateStateTarget.OwnFile;
    }
    if (o.mutating && mayMove && keys.some((p) => p.startsWith(k.endsWith('/') ? k : `${k}/`)))
      return GateStateTarget.Directory;
  }
  if (o.onDisk) {
    const id = await fileId(entry.resolved ?? entry.normalized);
    // Only a file with more than one name can be another name of a protected file.
    if (id !== undefined && !id.endsWith(':1')) {
      const inode = id.slice(0, id.lastIndexOf(':'));
      for (const f of forms) {
        const other = await fileId(f);
        if (other !== undefined && other.slice(0, other.lastIndexOf(':')) === inode)
          return GateStateTarget.HardLink;
      }
    }
  }
  return undefined;
}
