import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/**
 * What the user asks of the sandbox a stdio upstream runs in (`upstream.sandbox`, `--sandbox`). Paths
 * are absolute once the configuration is resolved.
 */
export interface SandboxOptions {
  /** Directories the server may write to; each must exist. */
  readonly writable: readonly string[];
  /** More directories the server may read; each must exist. */
  readonly readOnly: readonly string[];
  /**
   * `none` (default): a private network namespace with only a loopback of its own. `shared`: the host's
   * network, unfiltered; bubblewrap has no per-host or per-port filter.
   */
  readonly network: SandboxNetwork;
}

/** The network modes of the sandbox; see {@link SandboxOptions.network}. */
export const SANDBOX_NETWORKS = ['none', 'shared'] as const;

/** One of {@link SANDBOX_NETWORKS}. */
export type SandboxNetwork = (typeof SANDBOX_NETWORKS)[number];

/** The child to run inside the sandbox, as it would be spawned without one. */
export interface SandboxedCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** The child's full environment (already the clean one from `childEnvironment`). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the child runs; the runner's working directory when absent. */
  readonly cwd: string;
  /** Read-only directories holding the server's own code (see {@link serverCodeDirs}). */
  readonly codeDirs: readonly string[];
}

/** A bubblewrap invocation: run `bwrap` with `args` and `env`. */
export interface SandboxInvocation {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** System directories bound read-only when they exist, so that node and the server can run. */
export const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/opt'] as const;

/** The files of /etc a program needs (name lookup, TLS roots, time zone, the loader); the rest is absent. */
export const ETC_FILES = [
  '/etc/alternatives',
  '/etc/ca-certificates',
  '/etc/group',
  '/etc/host.conf',
  '/etc/hosts',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/nsswitch.conf',
  '/etc/passwd',
  '/etc/resolv.conf',
  '/etc/ssl',
] as const;

/** Where the empty home directory is mounted when the child's HOME is unset. */
const DEFAULT_HOME = '/home/sandbox';

/** True when `path` is `dir` or inside it. */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * The bubblewrap arguments and environment that run `cmd` with only `options.writable` writable: system
 * directories, the server's code and `options.readOnly` read-only, the rest of the disk absent, an empty
 * tmpfs for HOME and /tmp, a fresh /proc and /dev, no capabilities, every namespace unshared (the
 * network too unless `shared`), a new session, and death with the proxy. The environment is not put on
 * the command line (where `ps` shows it): bubblewrap is started with exactly the child's environment,
 * with HOME and TMPDIR pointing inside the sandbox. Pure: touches neither the disk nor the processes.
 */
export function bwrapInvocation(options: SandboxOptions, cmd: SandboxedCommand): SandboxInvocation {
  const home = cmd.env.HOME ?? DEFAULT_HOME;
  const args: string[] = ['--unshare-all'];
  if (options.network === 'shared') args.push('--share-net');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  for (const dir of SYSTEM_DIRS) args.push('--ro-bind-try', dir, dir);
  for (const file of ETC_FILES) args.push('--ro-bind-try', file, file);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', home);
  const mounted = [...SYSTEM_DIRS, ...cmd.codeDirs, ...options.readOnly, ...options.writable];
  // The working directory exists in the sandbox (empty, when nothing of it is mounted) so chdir works.
  if (!mounted.some((dir) => within(cmd.cwd, dir))) args.push('--dir', cmd.cwd);
  for (const dir of cmd.codeDirs) args.push('--ro-bind', dir, dir);
  for (const dir of options.readOnly) args.push('--ro-bind', dir, dir);
  // Writable binds come last so a writable directory inside a read-only one stays writable.
  for (const dir of options.writable) args.push('--bind', dir, dir);
  args.push('--chdir', cmd.cwd, '--', cmd.command, ...cmd.args);
  return { args, env: { ...cmd.env, HOME: home, TMPDIR: '/tmp' } };
}

/** The outermost `node_modules` folder above `path`, or undefined. */
function outermostNodeModules(path: string): string | undefined {
  const parts = path.split(sep);
  const i = parts.indexOf('node_modules');
  return i < 0 ? undefined : parts.slice(0, i + 1).join(sep);
}

/**
 * The read-only directories holding the server's own code: for the command and each argument that
 * names an existing file, the outermost `node_modules` above it (so its dependencies resolve) or else
 * its folder, for the path as given and for its real path (package managers link packages). Files under
 * the system directories need nothing more. Reads the disk.
 */
export function serverCodeDirs(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): string[] {
  const dirs = new Set<string>();
  const note = (file: string): void => {
    for (const p of [file, realpathSync(file)]) {
      const dir = outermostNodeModules(p) ?? dirname(p);
      if (!SYSTEM_DIRS.some((s) => within(dir, s))) dirs.add(dir);
    }
  };
  const cmdPath = isAbsolute(command) || command.includes(sep) ? resolve(cwd, command) : onPath(command, env);
  for (const candidate of [cmdPath, ...args.map((a) => resolve(cwd, a))]) {
    if (candidate !== undefined && isFile(candidate)) note(candidate);
  }
  return [...dirs];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The executable `name` on the PATH of `env`, or undefined. */
export function onPath(name: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (isFile(p)) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The sandbox could not be set up; the proxy refuses to start (exit 3). */
export class SandboxUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';
  constructor(reason: string) {
    super(`sandbox_unavailable: ${reason}`);
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * Checks that the sandbox can be set up here, before the real upstream is spawned: bubblewrap is on
 * PATH, every named directory exists, and `bwrap <the same arguments> -- /bin/true` succeeds (namespaces
 * allowed). Returns the path of bwrap. Throws {@link SandboxUnavailableError} with a one-line reason.
 */
export async function verifySandbox(
  options: SandboxOptions,
  cmd: SandboxedCommand,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const bwrap = onPath('bwrap', env);
  if (bwrap === undefined) throw new SandboxUnavailableError('bwrap (bubblewrap) is not on PATH');
  for (const [kind, dirs] of [
    ['writable', options.writable],
    ['read-only', options.readOnly],
  ] as const) {
    for (const dir of dirs) {
      let ok = false;
      try {
        ok = statSync(dir).isDirectory();
      } catch {
        ok = false;
      }
      if (!ok)
        throw new SandboxUnavailableError(`${kind} directory ${dir} does not exist or is not a directory`);
    }
  }
  const probe = bwrapInvocation(options, { ...cmd, command: '/bin/true', args: [] });
  await new Promise<void>((done, fail) => {
    execFile(bwrap, [...probe.args], { env: { ...probe.env }, timeout: 10_000 }, (err, _out, stderr) => {
      if (err === null) done();
      else {
        const why = String(stderr).trim().split('\n')[0] || err.message;
        fail(new SandboxUnavailableError(`bwrap cannot create the sandbox here: ${why}`));
      }
    });
  });
  return bwrap;
}

/** What a stdio child needs to be spawned: its command line, environment and working directory. */
export interface ChildLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * The same child, run under bubblewrap with `options` (its code directories found on disk): the launch
 * to spawn instead. `bwrap` is looked up on the runner's PATH.
 */
export function sandboxedLaunch(
  options: SandboxOptions,
  child: ChildLaunch,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChildLaunch & { readonly cwd: string } {
  const cwd = child.cwd ?? process.cwd();
  const codeDirs = serverCodeDirs(child.command, child.args, cwd, { PATH: child.env.PATH ?? env.PATH ?? '' });
  const run = bwrapInvocation(options, { ...child, cwd, codeDirs });
  return { command: onPath('bwrap', env) ?? 'bwrap', args: run.args, env: run.env, cwd };
}

/** The sandboxed launch of `child` checked with {@link verifySandbox}; see there for what is checked. */
export async function verifySandboxFor(
  options: SandboxOptions,
  child: ChildLaunch,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const cwd = child.cwd ?? process.cwd();
  const codeDirs = serverCodeDirs(child.command, child.args, cwd, { PATH: child.env.PATH ?? env.PATH ?? '' });
  await verifySandbox(options, { ...child, cwd, codeDirs }, env);
}
