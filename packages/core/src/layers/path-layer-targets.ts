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

/** A path glob (`*`, `**`, `?`, `[…]`) as a regular expression over lower-case paths. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
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
    if (/[*?[]/.test(k)) {
      const re = globRegex(k);
      if (keys.some((p) => re.test(p))) return GateStateTarget.OwnFile;
    }
    const mayMove = c.source === 'value' ? !WORKDIR_KEY.test(c.key) : c.mutates === true;
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
