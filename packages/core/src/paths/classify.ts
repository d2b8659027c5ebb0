/**
 * Path classification shared by the pre-filter, the shell analysis, the path layer and the policy's
 * `is` predicate. The classes are principles, not lists of files:
 *
 * - `code-loading`: a file that a shell, git, an editor or IDE, a package manager, an interpreter, a
 *   scheduler or the login session loads or runs on its own. Every dot-file and dot-directory in a
 *   home directory configures some program (`~/.zshenv`, `~/.gitconfig`, `~/.config/**`,
 *   `~/.ssh/authorized_keys`); so do the home's and the system's `bin` directories on PATH, the
 *   autostart, service and launch-agent directories, git's control files (`.git/**`, hook
 *   directories), direnv's `.envrc`, editor workspace settings (`.vscode/**`, `.idea/**`), package
 *   manager rc files and interpreter start-up hooks (`*.pth`, `sitecustomize.py`).
 * - `credential`: secret material on disk. Private keys (every key file that is not `.pub`; ssh's
 *   `id_*` names where ssh keeps identities, not a key a project generates for itself), token,
 *   credential, secret and password files, files in credential stores (`.gnupg`, cloud CLI
 *   directories, keychains), `.netrc`-style login files, and `.env` files other than examples.
 * - `system`: files of the system or of other users: `/etc`, `/usr`, `/boot`, `/proc`, `/sys`,
 *   `/dev`, `C:/Windows`, and any home directory that is not the caller's.
 *
 * Home directories are recognised by shape too (`/home/<u>/`, `/Users/<u>/`, `/root/`,
 * `C:/Users/<u>/`), not only by `env.home`. Matching is case-insensitive, for case-insensitive file
 * systems.
 */

import { normalizePath, type PathEnv } from './normalize-path.js';
import { MAX_MEMO_KEY, PathMemo } from './path-memo.js';

export type { PathEnv } from './normalize-path.js';

/** What a path is, for the gate: files that run on their own, secrets, system files. */
export type PathClass = 'code-loading' | 'credential' | 'system';

/** The path classes, for validation and documentation. */
export const PATH_CLASSES: readonly PathClass[] = Object.freeze(['code-loading', 'credential', 'system']);

/** A normalised path and its classes. */
export interface PathVerdict {
  /** Absolute, `~`/`$HOME` expanded, dot segments and trailing slashes removed. */
  readonly normalized: string;
  readonly classes: readonly PathClass[];
}

const HOME_SHAPE = /^(?:\/home\/[^/]+|\/users\/[^/]+|\/root|\/var\/root|[a-z]:\/users\/[^/]+|~[^/]*)(?=\/|$)/;
const SYSTEM_ROOT =
  /^(?:\/(?:etc|usr|bin|sbin|lib|lib32|lib64|libx32|boot|proc|sys|dev|run|snap|system|library|private\/etc|var(?!\/(?:tmp|folders)(?:\/|$)))|[a-z]:\/(?:windows|program files(?: \(x86\))?|programdata))(?:\/|$)/;
// Home entries that hold data only (caches, application state), not configuration.
const HOME_DATA =
  /^(?:\.cache|\.local\/(?:share|state)|\.npm\/_cacache|\.cargo\/registry|\.rustup\/toolchains)(?:\/|$)/;
const HOME_CODE =
  /^(?:bin|\.?local\/bin|library\/(?:launchagents|launchdaemons|application support|preferences|scripts)|appdata|documents\/(?:windowspowershell|powershell))(?:\/|$)|(?:^|\/)(?:autostart|startup|launchagents|launchdaemons)(?:\/|$)/;
// Anywhere, a project included: git control files and hooks, direnv, editor workspaces, package
// manager rc files and hooks, interpreter start-up files.
const PROJECT_CODE =
  /(?:^|\/)(?:\.git|\.githooks|\.husky|\.vscode|\.idea|\.devcontainer|\.direnv|\.bundle)(?:\/|$)|(?:^|\/)(?:\.envrc|\.npmrc|\.yarnrc(?:\.yml)?|\.pnpmfile\.cjs|\.pythonrc(?:\.py)?|sitecustomize\.py|usercustomize\.py|[^/]*\.pth|\.lldbinit|\.gdbinit|\.exrc|\.nvimrc)$/;
const SYSTEM_CODE = /^\/(?:usr\/local\/|opt\/[^/]+\/)?s?bin(?:\/|$)/;

// Key files by type: private key material wherever it lies.
const KEY_FILE = /^(?:[^/]*\.(?:key|pem|p12|pfx|ppk|jks|keystore|p8|kdbx|gpg|pgp)|secring\.[a-z]+)$/;
// ssh's names for identities: the user's keys where ssh keeps them (a home directory, its
// dot-directories, /etc/ssh). The same name in a project is a key the project generates
// (`ssh-keygen -f ./deploy/id_ed25519`), which is ordinary work.
const SSH_KEY_NAME = /^(?:id_[a-z0-9_]+|ssh_host_[a-z0-9_]+_key)$/;
const IN_DOT_DIR = /(?:^|\/)\.[^/]+\/|^\/etc\//;
const SECRET_WORD = /(?:credential|token|secret|passw|apikey|api_key|private|auth(?:\.json|\.ya?ml)?$)/;
const LOGIN_FILE =
  /^(?:\.netrc|_netrc|\.pgpass|\.git-credentials|\.my\.cnf|\.pypirc|\.npmrc|\.vault-token|\.envrc|\.boto|\.s3cfg|\.dockercfg|[^/]*_history|\.lesshst)$/;
const STORE_DIR =
  /(?:^|\/)(?:\.gnupg|\.password-store|\.aws|\.azure|\.kube|\.docker|\.config\/gcloud|\.config\/gh|\.oci|\.terraform\.d|keychains|keyrings|\.ssh\/[^/]*\.d)(?:\/|$)/;
const SSH_NOT_SECRET = /^(?:[^/]*\.pub|known_hosts(?:\.old)?|config|authorized_keys2?|rc|environment)$/;
const ENV_FILE = /^(?:\.env(?:\.[^/]*)?|[^/]*\.env)$/;
const ENV_EXAMPLE = /(?:example|sample|template|dist|defaults?|schema)(?:\.|$)/;
const SYSTEM_SECRET =
  /^\/(?:etc\/(?:shadow|gshadow|sudoers|master\.passwd|security\/opasswd|ssl\/private)|proc\/[^/]+\/(?:environ|mem|maps)|run\/secrets|var\/run\/secrets)(?:\/|$|-)/;

/** The part of `p` under a home directory, and whether that home is the caller's. */
function homePart(p: string, env: PathEnv | undefined): { rest: string; own: boolean } | undefined {
  const home = env?.home.toLowerCase();
  if (home !== undefined && (p === home || p.startsWith(`${home}/`)))
    return { rest: p.slice(home.length + 1), own: true };
  const m = HOME_SHAPE.exec(p);
  if (m === null) return undefined;
  const own =
    env === undefined ? m[0] === '~' || m[0].startsWith('/home/') || m[0].startsWith('/users/') : false;
  return { rest: p.slice(m[0].length + 1), own };
}

function isCredential(p: string, base: string, rest: string | undefined): boolean {
  if (SYSTEM_SECRET.test(p) || STORE_DIR.test(p) || LOGIN_FILE.test(base)) return true;
  if (base.endsWith('.pub')) return false;
  if (KEY_FILE.test(base)) return true;
  if (SSH_KEY_NAME.test(base) && (IN_DOT_DIR.test(p) || (rest !== undefined && !rest.includes('/'))))
    return true;
  if (ENV_FILE.test(base) && !ENV_EXAMPLE.test(base.replace(/^\.env\.?/, ''))) return true;
  if (/(?:^|\/)\.ssh\/[^/]+$/.test(p) && !SSH_NOT_SECRET.test(base)) return true;
  // A token or credential file kept by a program in a home dot-directory.
  return rest?.startsWith('.') === true && SECRET_WORD.test(base);
}

/**
 * The classes of a normalised path (see `normalizePath`).
 * @example
 * classesOf('/home/u/.config/fish/config.fish', env) // ['code-loading']
 */
export function classesOf(normalized: string, env?: PathEnv): PathClass[] {
  return [...knownClasses(normalized, env)];
}

/** Classes already computed per normalised path, and verdicts per raw text (null: not a path). */
const classMemo = new PathMemo<readonly PathClass[]>();
const verdictMemo = new PathMemo<PathVerdict | null>();

/** `classesOf`, memoised and frozen (shared by every caller). */
function knownClasses(normalized: string, env: PathEnv | undefined): readonly PathClass[] {
  if (normalized.length > MAX_MEMO_KEY) return classesNow(normalized, env);
  const memo = classMemo.forEnv(env);
  let classes = memo.get(normalized);
  if (classes === undefined) {
    classes = Object.freeze(classesNow(normalized, env));
    memo.set(normalized, classes);
  }
  return classes;
}

function classesNow(normalized: string, env: PathEnv | undefined): PathClass[] {
  const p = normalized.toLowerCase();
  const base = p.slice(p.lastIndexOf('/') + 1);
  const home = homePart(p, env);
  const rest = home?.rest;
  const classes: PathClass[] = [];
  const code =
    PROJECT_CODE.test(p) ||
    SYSTEM_CODE.test(p) ||
    (rest !== undefined &&
      rest !== '' &&
      !HOME_DATA.test(rest) &&
      (rest.startsWith('.') || HOME_CODE.test(rest)));
  if (code) classes.push('code-loading');
  if (isCredential(p, base, rest)) classes.push('credential');
  if (SYSTEM_ROOT.test(p) || (home !== undefined && !home.own)) classes.push('system');
  return classes;
}

/**
 * Normalises `raw` (a path as an agent wrote it) and classifies it; undefined when it is not a path.
 * The verdict is frozen: callers classifying the same text share it.
 * @example
 * classifyPath('~/.zprofile/', { home: '/home/u', cwd: '/w' })
 * // { normalized: '/home/u/.zprofile', classes: ['code-loading'] }
 */
export function classifyPath(raw: string, env?: PathEnv): PathVerdict | undefined {
  if (raw.length > MAX_MEMO_KEY) return verdictNow(raw, env) ?? undefined;
  const memo = verdictMemo.forEnv(env);
  let verdict = memo.get(raw);
  if (verdict === undefined) {
    verdict = verdictNow(raw, env);
    memo.set(raw, verdict);
  }
  return verdict ?? undefined;
}

/** A frozen verdict (shared by every caller that classifies the same text), null for no path. */
function verdictNow(raw: string, env: PathEnv | undefined): PathVerdict | null {
  const normalized = normalizePath(raw, env);
  if (normalized === undefined) return null;
  return Object.freeze({ normalized, classes: knownClasses(normalized, env) });
}
