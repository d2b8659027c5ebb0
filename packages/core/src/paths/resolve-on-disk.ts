/**
 * Resolves a path the way the server on this machine would meet it: symlinks of every existing
 * prefix followed, even when the final file does not exist yet. Node-only.
 */

import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';

/** How many symlinks one resolution follows before it gives up (the kernel's own limit is 40). */
export const MAX_LINK_HOPS = 40;

/** Thrown when a path cannot be resolved (a symlink loop, a permission error): callers deny. */
export class PathResolveError extends Error {
  override readonly name = 'PathResolveError';
}

function missing(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The realpath of the longest existing prefix of an absolute, normalised path, plus the rest. A
 * dangling symlink on the way is followed to where it points. Throws `PathResolveError` on loops
 * and on file-system errors other than "does not exist".
 * @example
 * await resolveOnDisk('/home/u/notes/authorized_keys') // '/home/u/.ssh/authorized_keys' when notes → .ssh
 */
export async function resolveOnDisk(path: string, hops = 0): Promise<string> {
  if (hops > MAX_LINK_HOPS) throw new PathResolveError(`too many symbolic links: ${path}`);
  if (!path.startsWith('/')) throw new PathResolveError(`not an absolute path: ${path}`);
  const segments = path.split('/').filter((s) => s !== '');
  for (let n = segments.length; n >= 0; n--) {
    const prefix = `/${segments.slice(0, n).join('/')}`;
    const rest = segments.slice(n);
    try {
      const real = await realpath(prefix);
      return rest.length === 0 ? real : posix.join(real, ...rest);
    } catch (e) {
      if ((e as { code?: string }).code === 'ELOOP')
        throw new PathResolveError(`symbolic link loop: ${prefix}`);
      if (!missing(e)) throw new PathResolveError(`cannot resolve ${prefix}: ${String(e)}`, { cause: e });
    }
    // The prefix does not resolve: a dangling symlink is followed to its target.
    try {
      const st = await lstat(prefix);
      if (st.isSymbolicLink()) {
        const target = await readlink(prefix);
        const base = posix.dirname(prefix);
        const next = posix.normalize(posix.isAbsolute(target) ? target : posix.join(base, target));
        return resolveOnDisk(rest.length === 0 ? next : posix.join(next, ...rest), hops + 1);
      }
    } catch (e) {
      if (!missing(e)) throw new PathResolveError(`cannot resolve ${prefix}: ${String(e)}`, { cause: e });
    }
  }
  return path;
}

/** `dev:ino:nlink` of a file (symlinks followed), or undefined when it does not exist. */
export async function fileId(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}:${s.nlink}`;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}
