import type { EffectiveCommand } from './commands.js';
import { type GitSetting, gitEnvSettings, gitExecKey, gitOptionSettings } from './git-config.js';
import type { ShellWord } from './model.js';
import { inlineCode, interpreterOf } from './roles.js';
import type { ScriptLang } from './script-lexer.js';
import { spawnedCommands, spawnNames } from './spawn-calls.js';

/** The shell commands code run by a command hands to a shell, and whether some are hidden from a reader. */
export interface EmbeddedCommands {
  readonly commands: readonly string[];
  /** A process call whose command is built at run time in code that also decodes text. */
  readonly decoded: boolean;
}

const NONE: EmbeddedCommands = { commands: [], decoded: false };

const LANGS: readonly (readonly [RegExp, ScriptLang])[] = [
  [/^(?:python|pypy)/, 'python'],
  [/^perl/, 'perl'],
  [/^ruby/, 'ruby'],
  [/^(?:node|nodejs|deno|bun)$/, 'js'],
  [/^php/, 'php'],
  [/^lua/, 'lua'],
];
const AWKS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'busybox-awk']);
const VIMS = new Set(['vim', 'vi', 'nvim', 'view', 'ex', 'gvim', 'mvim', 'vimdiff', 'rvim']);

// Decoding that hides what a process call runs: base64, hex, character codes, compression, rot13.
const DECODING =
  /\b(?:b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|decodestring|fromhex|unhexlify|atob|decode_base64|decode64|strict_decode64|urlsafe_decode64|base64_decode|hex2bin|str_rot13|gzinflate|gzuncompress|gzdecode|decompress|inflateSync|gunzipSync|fromCharCode|chr|pack|unpack1?)\b|["'](?:base64|hex|rot13|rot_13|base64url)["']/;

/** The language of an interpreter's code (`python3.12` → python), or undefined for others. */
export function langOf(name: string): ScriptLang | undefined {
  const key = interpreterOf(name);
  if (key === undefined) return undefined;
  return LANGS.find(([re]) => re.test(key))?.[1];
}

/** Values of every occurrence of an option (`-e a -e b`). */
function allValues(args: readonly ShellWord[], options: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = (args[i] as ShellWord).text;
    if (options.includes(t) && args[i + 1] !== undefined) out.push((args[++i] as ShellWord).text);
    else
      for (const o of options)
        if (o.startsWith('--') && t.startsWith(`${o}=`)) out.push(t.slice(o.length + 1));
  }
  return out;
}

/** The program an awk runs: `-e`/`--source` texts, else the first operand (none with `-f`). */
function awkProgram(args: readonly ShellWord[]): string | undefined {
  const sources = allValues(args, ['-e', '--source']);
  if (sources.length > 0) return sources.join('\n');
  for (let i = 0; i < args.length; i++) {
    const t = (args[i] as ShellWord).text;
    if (t === '--') return args[i + 1]?.text;
    if (/^-(?:f|E)|^--(?:file|exec)/.test(t)) return undefined;
    if (/^-[FvilW]$/.test(t)) i++;
    else if (!t.startsWith('-') || t === '-') return t;
  }
  return undefined;
}

/** Shell commands in vim's `-c`/`--cmd`/`+` commands: `:!cmd`, `:r !cmd`, `:w !cmd`, `:terminal cmd`, `system()`. */
function vimCommands(args: readonly ShellWord[]): { shell: string[]; code: string[] } {
  const cmds = [
    ...allValues(args, ['-c', '--cmd']),
    ...args.filter((w) => /^\+\D/.test(w.text)).map((w) => w.text.slice(1)),
  ];
  const shell: string[] = [];
  for (const c of cmds) {
    const bare = c.replace(/^[\s:]*(?:sil(?:ent)?!?\s*)?(?:exe(?:cute)?\s+)?/, '');
    const m = /^(?:[%.$,'<>\d\s]*)(?:(?:r(?:ead)?|w(?:rite)?)\s*)?!(.*)$|^ter(?:m(?:inal)?)?\s+(.*)$/s.exec(
      bare,
    );
    if (m !== null) shell.push(m[1] ?? m[2] ?? '');
  }
  return { shell, code: cmds };
}

/** The argv of a git `ext::` remote (`%` escapes a space or itself), quoted as a command line. */
function extCommand(spec: string): string {
  const argv: string[] = [''];
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] as string;
    const n = spec[i + 1];
    // `%s`/`%S` name the service git runs; `% ` and `%%` are a space and a percent sign in an argument.
    if (c === '%' && n !== undefined) {
      argv[argv.length - 1] += /[sS]/.test(n) ? 'git-upload-pack' : n;
      i++;
    } else if (c === ' ') argv.push('');
    else argv[argv.length - 1] += c;
  }
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** The command lines git runs from settings for one run: `-c`, `--config-env`, its environment. */
function settingCommands(settings: readonly GitSetting[]): string[] {
  const out: string[] = [];
  // A path-valued key (hooks, included configuration) runs files as a local script does: not followed.
  for (const s of settings)
    if (gitExecKey(s.key, s.value) === 'command') out.push(s.value.text.replace(/^!/, ''));
  return out;
}

/** Shell commands git runs from its `-c`/`--config-env` settings and `ext::` remotes. */
function gitCommands(args: readonly ShellWord[]): string[] {
  const out = settingCommands(gitOptionSettings(args));
  for (const w of args) if (/^ext::/.test(w.text)) out.push(extCommand(w.text.slice(5)));
  return out;
}

/** A reading of the raw code that does not rely on the lexer: `name("literal")` and backticks. */
function rawCalls(code: string, lang: ScriptLang): string[] {
  const names = spawnNames(lang).filter((n) => n !== 'open' && n !== 'run' && n !== 'call');
  const out: string[] = [];
  const re = new RegExp(
    `(?<![\\w$])(?:${names.join('|')})\\s*\\(?\\s*(["'\`])((?:\\\\.|(?!\\1)[^\\\\])*)\\1`,
    'g',
  );
  for (const m of code.matchAll(re)) out.push((m[2] ?? '').replace(/\\(.)/g, '$1'));
  if (lang === 'perl' || lang === 'ruby' || lang === 'php')
    for (const m of code.matchAll(/`([^`]+)`/g)) out.push(m[1] ?? '');
  return out;
}

/** The shell commands that code in `lang` hands to its process calls, read from its literals. */
export function codeCommands(codes: readonly string[], lang: ScriptLang): EmbeddedCommands {
  const commands: string[] = [];
  let decoded = false;
  for (const code of codes) {
    const s = spawnedCommands(code, lang);
    commands.push(...s.commands, ...rawCalls(code, lang));
    decoded ||= s.hidden && DECODING.test(code);
  }
  return { commands: [...new Set(commands)], decoded };
}

/**
 * The shell commands that code run by `e` hands to a shell: an interpreter one-liner's process calls
 * (`python -c`, `perl -e`, `node -e`, …), awk's `system()` and pipes, osascript's `do shell script`,
 * vim's `:!`, git's command-valued settings (`-c`, `GIT_CONFIG_*`, `GIT_SSH_COMMAND`, …) and `ext::` remotes.
 */
export function embeddedCommands(e: EffectiveCommand): EmbeddedCommands {
  // Configuration that git reads from the environment applies to any git this command starts.
  const env = settingCommands(gitEnvSettings(e.env));
  const own = ownCommands(e);
  return env.length === 0 ? own : { commands: [...env, ...own.commands], decoded: own.decoded };
}

function ownCommands(e: EffectiveCommand): EmbeddedCommands {
  const lang = langOf(e.name);
  if (lang !== undefined) {
    const inline = inlineCode(e);
    if (inline === undefined || inline.code.fetched) return NONE;
    return codeCommands([inline.code.text], lang);
  }
  if (AWKS.has(e.name)) {
    const program = awkProgram(e.args);
    return program === undefined ? NONE : codeCommands([program], 'awk');
  }
  if (e.name === 'osascript') return codeCommands(allValues(e.args, ['-e']), 'applescript');
  if (VIMS.has(e.name)) {
    const v = vimCommands(e.args);
    const calls = codeCommands(v.code, 'vim');
    return { commands: [...v.shell, ...calls.commands], decoded: calls.decoded };
  }
  if (e.name === 'git') return { commands: gitCommands(e.args), decoded: false };
  return NONE;
}
