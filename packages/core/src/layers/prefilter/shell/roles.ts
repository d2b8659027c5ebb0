import { type EffectiveCommand, hasFlag, operands, optionValue } from './commands.js';
import type { ShellWord } from './model.js';

/** Shells: they run the code they are handed (`-c`), a script file, or standard input. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
  'yash',
  'rbash',
  'busybox',
]);
/** Interpreters with their inline-code option. */
const INTERPRETERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['python', ['-c']],
  ['python2', ['-c']],
  ['python3', ['-c']],
  ['pypy', ['-c']],
  ['perl', ['-e', '-E']],
  ['ruby', ['-e']],
  ['node', ['-e', '--eval', '-p', '--print']],
  ['nodejs', ['-e', '--eval', '-p', '--print']],
  ['deno', ['eval']],
  ['bun', ['-e', '--eval']],
  ['php', ['-r']],
  ['lua', ['-e']],
  ['pwsh', ['-c', '-command', '-Command']],
  ['powershell', ['-c', '-command', '-Command']],
  ['powershell.exe', ['-c', '-command', '-Command']],
]);
/** Tools that fetch over HTTP(S)/FTP; their output (or `-o` file) is remote content. */
const FETCHERS = new Set([
  'curl',
  'wget',
  'fetch',
  'aria2c',
  'lwp-download',
  'lwp-request',
  'http',
  'https',
  'xh',
  'iwr',
  'irm',
  'invoke-webrequest',
  'invoke-restmethod',
  'wget2',
  'curlie',
]);
/** Tools that open a raw network socket. */
const SOCKETS = new Set([
  'nc',
  'ncat',
  'netcat',
  'socat',
  'telnet',
  'nc.traditional',
  'nc.openbsd',
  'pwncat',
]);

/** The interpreter a command name is, without a version suffix (`python3.12` → `python`). */
export function interpreterOf(name: string): string | undefined {
  if (INTERPRETERS.has(name)) return name;
  const bare = name.replace(/[\d.]+$/, '');
  return INTERPRETERS.has(bare) ? bare : undefined;
}

/** Interpreters that bundle one-letter flags (`perl -lne`, `python3 -Ic`): code letters, letters taking a value. */
const BUNDLED: ReadonlyMap<string, { code: string; value: string; all: boolean }> = new Map([
  ['python', { code: 'c', value: 'mWXQ', all: false }],
  ['perl', { code: 'eE', value: 'MmIxCdDF', all: true }],
  ['ruby', { code: 'e', value: 'rIEFCKxTW', all: true }],
]);

/**
 * The inline code of a bundling interpreter: `-c CODE`, `-cCODE`, `-Ic CODE`, and for perl and ruby
 * every `-e` up to the first operand, joined by newlines as they join them.
 */
function bundledCode(
  args: readonly ShellWord[],
  spec: { code: string; value: string; all: boolean },
): ShellWord | undefined {
  const codes: ShellWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as ShellWord;
    const t = w.text;
    if (t.startsWith('--') && t !== '--') continue;
    if (!/^-\w/.test(t)) break;
    for (let k = 1; k < t.length; k++) {
      const ch = t[k] as string;
      if (spec.value.includes(ch)) {
        if (k === t.length - 1) i++;
        break;
      }
      if (!spec.code.includes(ch)) continue;
      const code = k + 1 < t.length ? { ...w, text: t.slice(k + 1) } : args[++i];
      if (code !== undefined) codes.push(code);
      break;
    }
    if (codes.length > 0 && !spec.all) break;
  }
  if (codes.length === 0) return undefined;
  return {
    text: codes.map((c) => c.text).join('\n'),
    dynamic: codes.some((c) => c.dynamic),
    fetched: codes.some((c) => c.fetched),
    secret: codes.some((c) => c.secret),
  };
}

/** True when `e` is a shell. */
export function isShell(e: EffectiveCommand): boolean {
  return SHELLS.has(e.name);
}

/** Inline code handed to a shell (`-c`) or an interpreter (`-c`, `-e`, `-r`, …), with its language. */
export function inlineCode(e: EffectiveCommand): { lang: 'shell' | 'script'; code: ShellWord } | undefined {
  if (isShell(e)) {
    const c = e.args.findIndex((w) => /^-[A-Za-z]*c[A-Za-z]*$/.test(w.text));
    if (c < 0) return undefined;
    const code = e.args.slice(c + 1).find((w) => !w.text.startsWith('-'));
    return code === undefined ? undefined : { lang: 'shell', code };
  }
  if (e.name === 'eval') {
    const text = e.args.map((w) => w.text).join(' ');
    return {
      lang: 'shell',
      code: {
        text,
        dynamic: e.args.some((w) => w.dynamic),
        fetched: e.args.some((w) => w.fetched),
        secret: false,
      },
    };
  }
  const key = interpreterOf(e.name);
  const opts = key === undefined ? undefined : INTERPRETERS.get(key);
  if (key === undefined || opts === undefined) return undefined;
  const bundled = BUNDLED.get(key.replace(/^pypy|\d+$/g, (m) => (m === 'pypy' ? 'python' : '')));
  if (bundled !== undefined) {
    const found = bundledCode(e.args, bundled);
    return found === undefined ? undefined : { lang: 'script', code: found };
  }
  const code = optionValue(
    e.args,
    opts.filter((o) => !o.startsWith('--') && o.length === 2),
    opts.filter((o) => o.length > 2),
    false,
  );
  return code === undefined ? undefined : { lang: 'script', code };
}

/** True when `e` runs what arrives on its standard input as code. */
export function runsStdin(e: EffectiveCommand): boolean {
  if (e.dynamicName) return true;
  if (e.name === 'iex' || e.name === 'invoke-expression') return true;
  if (!isShell(e) && interpreterOf(e.name) === undefined) return false;
  if (inlineCode(e) !== undefined) return false;
  const files = operands(e.args).filter((w) => w.text !== '-');
  // `bash -s args`: arguments after -s are positional parameters, the script is still stdin.
  return files.length === 0 || hasFlag(e.args, 's', []);
}

/** The file a shell, an interpreter, `source` or `.` runs (`bash f`, `. f`, `bash <(…)`). */
export function scriptFile(e: EffectiveCommand): ShellWord | undefined {
  if (e.name === 'source' || e.name === '.') return e.args[0];
  if (!isShell(e) && interpreterOf(e.name) === undefined) return undefined;
  if (inlineCode(e) !== undefined || hasFlag(e.args, 's', [])) return undefined;
  return operands(e.args).find((w) => w.text !== '-');
}

const URL_LIBS =
  /\burlopen\b|\burllib\b|\brequests\.(?:get|post)\b|\bhttp\.client\b|\bhttps?\.get\b|require\(\s*["']https?["']\s*\)|\bfetch\s*\(|open-uri|net\/http|\bnet::http\b|\buri\.open\b|\blwp\b|http::tiny|file_get_contents\s*\(\s*["']?(?:https?|ftp):|curl_exec|\b(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b|downloadstring|net\.webclient/i;
// Opening an outbound connection, not naming the module (`socket.gethostname()` opens nothing).
const SOCKET_LIBS =
  /\bsocket\s*\(|\bsocket\.(?:create_connection|tcp|connect)\b|io::socket|tcpsocket|\bsocket\.tcp\b|fsockopen|stream_socket_client|\bnet\.(?:socket|connect|createconnection)\b|sockets\.tcpclient/i;
// Running code, or wiring a descriptor to the process (`open(STDIN,">&S")`, `os.dup2`, `$stdin.reopen`).
const RUNS_CODE =
  /\b(?:exec|eval|system|subprocess|popen|spawn|pty|dup2?|reopen|passthru|shell_exec|proc_open|iex|invoke-expression|fdopen|child_process|execsync|instance_eval)\b|\/bin\/(?:ba)?sh\b|\bopen\s*\(?\s*\*?std(?:in|out|err)\b[^;]{0,24}&/i;

/**
 * What inline script code does: fetches (a URL/HTTP library), opens an outbound socket, runs code or
 * wires a descriptor to the process. A socket with the last is a reverse shell; alone, it still
 * brings network content into a running interpreter.
 */
export function scriptTraits(code: string): { fetches: boolean; socket: boolean; runs: boolean } {
  return { fetches: URL_LIBS.test(code), socket: SOCKET_LIBS.test(code), runs: RUNS_CODE.test(code) };
}

/** True when `e` opens a raw network connection (nc, ncat, socat, telnet, `openssl s_client`). */
export function isSocket(e: EffectiveCommand): boolean {
  if (SOCKETS.has(e.name)) return !hasFlag(e.args, 'z', []) || e.name !== 'nc';
  return e.name === 'openssl' && e.args.some((w) => w.text === 's_client');
}

/** True when the output of `e` is content from the network. */
export function fetches(e: EffectiveCommand): boolean {
  if (FETCHERS.has(e.name) || isSocket(e)) return true;
  const inline = inlineCode(e);
  if (inline?.lang === 'script') {
    const t = scriptTraits(inline.code.text);
    return t.fetches || t.socket;
  }
  return false;
}

/** True when `e` is an HTTP(S)/FTP fetcher. */
export function isFetcher(e: EffectiveCommand): boolean {
  return FETCHERS.has(e.name);
}

// Escapes that spell characters by number (`\x63`, `\143`, `\u0063`): text written so as not to be read.
const NUMERIC_ESCAPE = /\\(?:x[0-9a-f]{1,2}|[0-7]{3}|u[0-9a-f]{4})/i;

/**
 * True when the output of `e` is decoded text: `base64 -d`, `base32 -d`, `xxd -r`, `openssl enc -d`,
 * or `printf`/`echo -e` of numeric escapes. Piped into a shell it runs code no reader saw.
 */
export function outputsDecoded(e: EffectiveCommand): boolean {
  if (/^(?:base64|base32|basenc|gbase64)$/.test(e.name)) return hasFlag(e.args, 'dD', ['--decode']);
  if (e.name === 'xxd') return hasFlag(e.args, 'r', ['--revert']);
  if (e.name === 'openssl') return e.args.some((w) => w.text === '-d' || w.text === 'base64');
  if (e.name === 'printf' || (e.name === 'echo' && hasFlag(e.args, 'e', [])))
    return e.args.some((w) => NUMERIC_ESCAPE.test(w.text));
  return false;
}
