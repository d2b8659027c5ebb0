import type { ShellCommand, ShellWord } from './model.js';

// Shells and interpreters handed code by `find -exec`; other -exec commands are judged on find itself.
const CODE_RUNNERS =
  /^(?:sh|bash|zsh|dash|ksh|busybox|python[\d.]*|pypy\d*|perl[\d.]*|ruby[\d.]*|node|nodejs|deno|bun|php[\d.]*|lua[\d.]*|g?awk|mawk|nawk|osascript)$/;

/** A command as it runs once wrappers (`env`, `sudo`, `xargs`, `busybox`, …) are taken off. */
export interface EffectiveCommand {
  /** Lower-case base name with leading backslashes removed (`/usr/bin/sudo` → `sudo`). */
  readonly name: string;
  /** The command word as written, resolved (`./inst`, `/tmp/x`). */
  readonly path: string;
  readonly args: readonly ShellWord[];
  /** The command name comes from an unknown expansion (`$c`, `$(…)`). */
  readonly dynamicName: boolean;
  /** The name of the command or of a wrapper before it is computed by a command substitution. */
  readonly hiddenName: boolean;
  /** Wrappers taken off, outermost first. */
  readonly wrappers: readonly string[];
  /** The command reads its arguments from standard input (`xargs`). */
  readonly argsFromStdin: boolean;
  /** Assignments to its environment: before the command word and `env NAME=value`. */
  readonly env: readonly ShellWord[];
  readonly source: ShellCommand;
}

const EMPTY: ShellWord = { text: '', dynamic: false, fetched: false, secret: false };

function plain(text: string, like: ShellWord = EMPTY): ShellWord {
  return { ...like, text };
}

/** Base name, lower case, without leading backslashes. */
export function commandName(word: string): string {
  const bare = word.replace(/^\\+/, '');
  return bare.slice(bare.lastIndexOf('/') + 1).toLowerCase();
}

// Options that take a value, per wrapper; other options are flags.
const VALUE_OPTIONS: Record<string, ReadonlySet<string>> = {
  env: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']),
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '-R']),
  doas: new Set(['-u', '-C']),
  run0: new Set(['-u', '--user', '-g', '--group', '-D', '--chdir']),
  pkexec: new Set(['--user']),
  nice: new Set(['-n', '--adjustment']),
  ionice: new Set(['-c', '-n', '-p', '--class', '--classdata']),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e']),
  exec: new Set(['-a']),
  xargs: new Set([
    '-I',
    '-n',
    '-P',
    '-d',
    '-L',
    '-s',
    '-a',
    '-E',
    '--max-args',
    '--max-procs',
    '--delimiter',
  ]),
  watch: new Set(['-n', '--interval', '-d']),
  flock: new Set(['-w', '-E']),
  chroot: new Set(['--userspec', '--groups']),
  setsid: new Set([]),
  nohup: new Set([]),
  time: new Set(['-f', '-o']),
  command: new Set([]),
  builtin: new Set([]),
  unbuffer: new Set([]),
  caffeinate: new Set(['-t', '-w']),
  busybox: new Set([]),
  sg: new Set([]),
};
/** Wrappers that take a positional argument before the command (`timeout 10 cmd`, `chroot /x cmd`). */
const POSITIONAL = new Set(['timeout', 'chroot', 'flock', 'sg']);

/**
 * Line prefixes of formats that hand the rest of a line to a shell, met when a file that is run is
 * read whole: a YAML list dash or key (`- run: …`, `script:`), a Dockerfile instruction (`RUN …`).
 * No shell command is spelled this way, so the prefix is taken off like a wrapper.
 */
const HOST_PREFIX = /^(?:-|[A-Za-z_][\w.-]*:|RUN|CMD|ENTRYPOINT)$/;
// A single word left after a host prefix holds a whole command line (`run: "curl … | sh"`).
const SHELL_SYNTAX = /[|;&<>$`()]/;

/** Commands that run their arguments as a command; the privilege ones are reported by the analyses. */
export const WRAPPERS: ReadonlySet<string> = new Set(Object.keys(VALUE_OPTIONS));

function splitWords(words: readonly ShellWord[]): ShellWord[] {
  const out: ShellWord[] = [];
  for (const w of words) {
    // Brace expansion of a whole word: `{curl,-s,http://x}` is three words.
    if (/^\{[^{}\s]*,[^{}\s]*\}$/.test(w.text))
      for (const p of w.text.slice(1, -1).split(',')) out.push(plain(p, w));
    // An expansion of IFS splits the word it is in.
    else if (/\s/.test(w.text) && !w.dynamic && out.length === 0)
      for (const p of w.text.split(/\s+/)) out.push(plain(p, w));
    else out.push(w);
  }
  return out.filter((w, i) => i > 0 || w.text !== '');
}

/**
 * Takes wrappers off a command: `env -i X=1 nice -n 5 sudo -u root bash` runs `bash`. `command -v`
 * and `env` without a command run nothing further. At most 8 wrappers are followed.
 */
export function effectiveCommand(cmd: ShellCommand): EffectiveCommand {
  let words = splitWords([cmd.path, ...cmd.args]);
  const wrappers: string[] = [];
  const env: ShellWord[] = [...(cmd.env ?? [])];
  let argsFromStdin = false;
  let hiddenName = false;
  for (let hop = 0; hop < 8; hop++) {
    const head = words[0];
    if (head === undefined) break;
    hiddenName ||= head.computed === true;
    if (!head.dynamic && HOST_PREFIX.test(head.text) && words.length > 1) {
      wrappers.push('host');
      const rest = words.slice(1);
      const only = rest[0] as ShellWord;
      // A quoted command line is code, as `eval` reads it.
      words = rest.length === 1 && SHELL_SYNTAX.test(only.text) ? [plain('eval'), only] : rest;
      continue;
    }
    const name = commandName(head.text);
    const options = VALUE_OPTIONS[name];
    if (options === undefined || head.dynamic) break;
    if (name === 'command' && words.some((w) => w.text === '-v' || w.text === '-V')) break;
    let i = 1;
    let split: ShellWord[] | undefined;
    for (; i < words.length; i++) {
      const t = (words[i] as ShellWord).text;
      // `env -S 'cmd args'` splits its value into a command line: read as `eval` reads one.
      const s = name === 'env' ? /^(?:-S|--split-string=?)(.*)$/s.exec(t) : null;
      if (s !== null) {
        const attached = (s[1] ?? '') !== '';
        const value = attached ? plain(s[1] as string, words[i]) : words[i + 1];
        if (value !== undefined) split = [plain('eval'), value, ...words.slice(attached ? i + 1 : i + 2)];
        break;
      }
      if (t === '--') {
        i++;
        break;
      }
      if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
        env.push(words[i] as ShellWord);
        continue;
      }
      if (!t.startsWith('-') || t === '-') break;
      if (options.has(t)) i++;
    }
    if (split !== undefined) {
      wrappers.push(name);
      words = split;
      continue;
    }
    if (POSITIONAL.has(name)) i++;
    if (i >= words.length) break;
    wrappers.push(name);
    if (name === 'xargs') argsFromStdin = true;
    words = words.slice(i);
  }
  // `find … -exec cmd args ;` runs cmd: the command that matters is the one after -exec.
  if (commandName(words[0]?.text ?? '') === 'find') {
    const x = words.findIndex((w) => /^-(?:exec|execdir|ok|okdir)$/.test(w.text));
    const cmdWords =
      x < 0 ? [] : words.slice(x + 1).filter((w) => w.text !== ';' && w.text !== '+' && w.text !== '{}');
    if (cmdWords.length > 0 && CODE_RUNNERS.test(commandName(cmdWords[0]?.text ?? ''))) {
      wrappers.push('find');
      words = cmdWords;
    }
  }
  const head = words[0] ?? EMPTY;
  return {
    name: commandName(head.text),
    path: head.text,
    args: words.slice(1),
    dynamicName: head.dynamic || head.text.startsWith('$'),
    hiddenName: hiddenName || head.computed === true,
    wrappers,
    argsFromStdin,
    env,
    source: cmd,
  };
}

/** The words of `args` that are not options (a lone `-` counts as an operand). */
export function operands(args: readonly ShellWord[]): ShellWord[] {
  return args.filter((w) => !w.text.startsWith('-') || w.text === '-');
}

/** The value of an option (`-o F`, `-oF`, `--output F`, `--output=F`), or undefined. */
export function optionValue(
  args: readonly ShellWord[],
  short: readonly string[],
  long: readonly string[],
  bundles = true,
): ShellWord | undefined {
  for (let i = 0; i < args.length; i++) {
    const t = (args[i] as ShellWord).text;
    for (const l of long) {
      if (t === l) return args[i + 1];
      if (t.startsWith(`${l}=`)) return plain(t.slice(l.length + 1), args[i]);
    }
    for (const s of short) {
      if (t === s) return args[i + 1];
      // Bundled short flags: the value follows the letter (`-qO-`, `-oF`) or is the next word (`-fsSLo F`).
      const letter = s.slice(1);
      const at = !/^-[A-Za-z]/.test(t) ? -1 : bundles ? t.indexOf(letter, 1) : t.startsWith(s) ? 1 : -1;
      if (at > 0 && /^[A-Za-z]*$/.test(t.slice(1, at))) {
        const rest = t.slice(at + 1);
        return rest === '' ? args[i + 1] : plain(rest, args[i]);
      }
    }
  }
  return undefined;
}

/** True when a short flag letter appears in any bundle (`-rf`, `-fR`) or a long flag is present. */
export function hasFlag(args: readonly ShellWord[], letters: string, long: readonly string[]): boolean {
  for (const w of args) {
    const t = w.text;
    if (t === '--') return false;
    if (t.startsWith('--')) {
      if (long.includes(t.split('=')[0] as string)) return true;
    } else if (t.startsWith('-') && t.length > 1) {
      for (const c of t.slice(1)) if (letters.includes(c)) return true;
    }
  }
  return false;
}
