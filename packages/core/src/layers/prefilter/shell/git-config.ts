import type { ShellWord } from './model.js';

/** How git uses the value of a key it runs: a command line, or a path to code (hooks, included config). */
export type GitExecKind = 'command' | 'path';

interface GitExecKey {
  /** The section, with its subsection where it has one (`core`, `filter.lfs`, `includeIf.gitdir:~/x`). */
  readonly section: RegExp;
  readonly name: RegExp;
  readonly kind: GitExecKind;
  /** The value is a shell command only when it starts with `!` (aliases run git subcommands otherwise). */
  readonly bang?: true;
}

/**
 * The one table of git configuration keys whose values git runs on its own: as a shell command, a
 * program, or a path to hooks or to more configuration. Read for `git -c`, git's configuration
 * environment variables, and `git config` writes at every scope.
 */
const GIT_EXEC_KEYS: readonly GitExecKey[] = [
  {
    section: /^core$/i,
    name: /^(?:sshcommand|pager|editor|askpass|fsmonitor|gitproxy|alternaterefscommand)$/i,
    kind: 'command',
  },
  { section: /^core$/i, name: /^hookspath$/i, kind: 'path' },
  { section: /^sequence$/i, name: /^editor$/i, kind: 'command' },
  { section: /^diff$/i, name: /^external$/i, kind: 'command' },
  { section: /^diff\../i, name: /^(?:textconv|command)$/i, kind: 'command' },
  { section: /^filter\../i, name: /^(?:clean|smudge|process)$/i, kind: 'command' },
  { section: /^merge\../i, name: /^driver$/i, kind: 'command' },
  { section: /^(?:difftool|mergetool|browser|man|guitool)\../i, name: /^(?:cmd|path)$/i, kind: 'command' },
  { section: /^credential(?:\..+)?$/i, name: /^helper$/i, kind: 'command' },
  { section: /^alias$/i, name: /./, kind: 'command', bang: true },
  { section: /^gpg(?:\..+)?$/i, name: /^(?:program|defaultkeycommand)$/i, kind: 'command' },
  { section: /^pager$/i, name: /./, kind: 'command' },
  { section: /^interactive$/i, name: /^difffilter$/i, kind: 'command' },
  { section: /^sendemail(?:\..+)?$/i, name: /^(?:tocmd|cccmd|sendmailcmd|smtpserver)$/i, kind: 'command' },
  { section: /^hook\../i, name: /^command$/i, kind: 'command' },
  { section: /^remote\../i, name: /^(?:uploadpack|receivepack|vcs)$/i, kind: 'command' },
  { section: /^uploadpack$/i, name: /^packobjectshook$/i, kind: 'command' },
  // `ext::` remotes run their URL as a command once this transport is allowed.
  { section: /^protocol\.ext$/i, name: /^allow$/i, kind: 'command' },
  { section: /^include$/i, name: /^path$/i, kind: 'path' },
  { section: /^includeif\../i, name: /^path$/i, kind: 'path' },
];

/** Environment variables git reads as one of those keys. */
const GIT_ENV_KEYS: Readonly<Record<string, string>> = {
  GIT_SSH_COMMAND: 'core.sshCommand',
  GIT_SSH: 'core.sshCommand',
  GIT_EDITOR: 'core.editor',
  GIT_SEQUENCE_EDITOR: 'sequence.editor',
  GIT_PAGER: 'core.pager',
  GIT_ASKPASS: 'core.askPass',
  GIT_EXTERNAL_DIFF: 'diff.external',
  GIT_PROXY_COMMAND: 'core.gitProxy',
};

function entryOf(key: string): GitExecKey | undefined {
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const section = key.slice(0, dot);
  const name = key.slice(dot + 1);
  return GIT_EXEC_KEYS.find((e) => e.section.test(section) && e.name.test(name));
}

/**
 * How git runs the value of `key` set to `value`, or undefined when it runs nothing. An alias runs a
 * shell command only when its value starts with `!`; a value the script does not spell out counts.
 */
export function gitExecKey(key: string, value: ShellWord | undefined): GitExecKind | undefined {
  const e = entryOf(key);
  if (e === undefined) return undefined;
  if (e.bang === true && value !== undefined && !value.dynamic && !value.text.startsWith('!'))
    return undefined;
  return e.kind;
}

/** True when a section renamed to `section` would hold keys git runs (`--rename-section x core`). */
export function gitExecSection(section: string): boolean {
  return GIT_EXEC_KEYS.some((e) => e.section.test(section));
}

// git's own options before its subcommand that take the next word as their value.
const GIT_VALUE_OPTIONS = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--config-env']);

/** Index in `args` of git's subcommand, after its own options (`git -C d -c k=v config …`). */
export function gitSubcommand(args: readonly ShellWord[]): number {
  for (let i = 0; i < args.length; i++) {
    const t = (args[i] as ShellWord).text;
    if (GIT_VALUE_OPTIONS.has(t)) i++;
    else if (!t.startsWith('-')) return i;
  }
  return args.length;
}

/** A setting for one run of git: a key and the value it is given. */
export interface GitSetting {
  readonly key: string;
  readonly value: ShellWord;
}

function split(kv: ShellWord): GitSetting | undefined {
  const eq = kv.text.indexOf('=');
  return eq < 0 ? undefined : { key: kv.text.slice(0, eq), value: { ...kv, text: kv.text.slice(eq + 1) } };
}

/** Settings made by git's own options: `-c key=value` and `--config-env key=VAR` (read as `$VAR`). */
export function gitOptionSettings(args: readonly ShellWord[]): GitSetting[] {
  const out: GitSetting[] = [];
  const end = gitSubcommand(args);
  for (let i = 0; i < end; i++) {
    const t = (args[i] as ShellWord).text;
    const env = /^--config-env=(.*)$/s.exec(t);
    const word = t === '-c' || t === '--config-env' ? args[++i] : env !== null ? args[i] : undefined;
    if (word === undefined) continue;
    const s = split({ ...word, text: env !== null ? (env[1] as string) : word.text });
    if (s === undefined) continue;
    out.push(t === '-c' ? s : { key: s.key, value: { ...s.value, text: `$${s.value.text}`, dynamic: true } });
  }
  return out;
}

/** The `'a'='b'` / `'a=b'` entries of `GIT_CONFIG_PARAMETERS` (single-quoted, `'\''` for a quote). */
function parameters(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === "'") quoted = false;
      else cur += c;
    } else if (c === "'") quoted = true;
    else if (c === '\\' && text[i + 1] !== undefined) cur += text[++i];
    else if (/\s/.test(c)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * Settings made by the environment of a run (`NAME=value` words): `GIT_CONFIG_PARAMETERS`,
 * `GIT_CONFIG_KEY_<n>`/`GIT_CONFIG_VALUE_<n>`, and variables git reads as a key (`GIT_SSH_COMMAND`).
 */
export function gitEnvSettings(env: readonly ShellWord[]): GitSetting[] {
  const out: GitSetting[] = [];
  const keys = new Map<string, string>();
  const values = new Map<string, ShellWord>();
  for (const w of env) {
    const s = split(w);
    if (s === undefined) continue;
    const n = /^GIT_CONFIG_(KEY|VALUE)_(\d+)$/.exec(s.key);
    if (n?.[1] === 'KEY') keys.set(n[2] as string, s.value.text);
    else if (n?.[1] === 'VALUE') values.set(n[2] as string, s.value);
    else if (s.key === 'GIT_CONFIG_PARAMETERS') {
      for (const p of parameters(s.value.text)) {
        const kv = split({ ...s.value, text: p });
        if (kv !== undefined) out.push(kv);
      }
    } else {
      const key = GIT_ENV_KEYS[s.key];
      if (key !== undefined) out.push({ key, value: s.value });
    }
  }
  for (const [n, key] of keys) {
    const value = values.get(n);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

// `git config` options that take the next word as their value.
const CONFIG_VALUE_OPTIONS = new Set([
  '-f',
  '--file',
  '--blob',
  '--type',
  '--default',
  '--comment',
  '--value',
]);
// Actions that read or remove; they set nothing.
const CONFIG_READS =
  /^(?:--get|--get-all|--get-regexp|--get-urlmatch|--get-color|--get-colorbool|-l|--list|--unset|--unset-all|--remove-section|-e|--edit)$/;
const SUBCOMMANDS = /^(?:list|get|set|unset|rename-section|remove-section|edit|get-color|get-colorbool)$/;

/**
 * The keys git runs that a `git config` invocation (its arguments after `config`) writes, at any
 * scope; `--rename-section x core` writes every key of the new section, reported as `core.*`.
 */
export function gitConfigExecWrites(args: readonly ShellWord[]): string[] {
  const ops: ShellWord[] = [];
  let action = '';
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as ShellWord;
    const t = w.text;
    if (t === '--') {
      ops.push(...args.slice(i + 1));
      break;
    }
    if (CONFIG_VALUE_OPTIONS.has(t)) i++;
    else if (t === '--rename-section' || t === '--add' || t === '--replace-all' || CONFIG_READS.test(t))
      action = t;
    else if (!t.startsWith('-')) {
      if (ops.length === 0 && action === '' && SUBCOMMANDS.test(t)) action = t;
      else ops.push(w);
    }
  }
  const [first, second] = ops;
  if (action === '--rename-section' || action === 'rename-section')
    return second !== undefined && gitExecSection(second.text) ? [`${second.text}.*`] : [];
  const sets =
    action === '' ? ops.length >= 2 : action === 'set' || action === '--add' || action === '--replace-all';
  if (!sets || first === undefined) return [];
  return gitExecKey(first.text, second) === undefined ? [] : [first.text];
}
