import { type FetchTarget, findTargets, parseBareTarget, parseTarget } from './url-target.js';

/**
 * Where a command really connects when curl's routing options are given: `--resolve host:port:addr`
 * and `--connect-to h:p:host:port` replace the address of the URL's host, `-x/--proxy` and
 * `--preproxy` send the request to another host, `--unix-socket` to a local socket. The URL on the
 * command line then says nothing about the destination.
 */
export interface RoutingTarget {
  readonly option: string;
  /** The destination, or undefined for a local socket (always local). */
  readonly target: FetchTarget | undefined;
}

const ROUTING = new Set([
  '--resolve',
  '--connect-to',
  '-x',
  '--proxy',
  '--preproxy',
  '--unix-socket',
  '--abstract-unix-socket',
]);

function addressTarget(address: string, port: string | undefined): FetchTarget | undefined {
  const a = address.replace(/^\[|\]$/g, '');
  const host = a.includes(':') ? `[${a}]` : a;
  return parseTarget(`http://${host}${port === undefined || port === '' ? '' : `:${port}`}/`, 'http');
}

function routeOf(option: string, value: string): RoutingTarget[] {
  if (option === '--unix-socket' || option === '--abstract-unix-socket')
    return [{ option, target: undefined }];
  if (option === '--resolve') {
    // host:port:addr[,addr]… ; a leading '+' marks a lazy entry; addresses may be bracketed IPv6.
    const m = /^\+?[^:]*:(\d*|\*):(.+)$/.exec(value);
    const addrs = m?.[2]?.split(',') ?? [];
    const out = addrs.map((a) => ({ option, target: addressTarget(a.trim(), m?.[1]) }));
    return out.length > 0 ? out : [{ option, target: undefined }];
  }
  if (option === '--connect-to') {
    // h1:p1:h2:p2 — the second pair is where curl connects (empty means "unchanged").
    const m = /^(?:\[[^\]]*\]|[^:]*):\d*:(\[[^\]]*\]|[^:]*):(\d*)$/.exec(value);
    if (m === null) return [{ option, target: undefined }];
    return m[1] === '' ? [] : [{ option, target: addressTarget(m[1] as string, m[2]) }];
  }
  const withScheme = findTargets(value)[0];
  return [{ option, target: withScheme ?? parseBareTarget(value) }];
}

/**
 * The routing destinations of one curl argument vector (`argv[0]` is the program). Exported for the
 * shell analysis, which knows the real words of a command. A routing option whose value cannot be
 * read yields `target: undefined`, which callers treat as local (fail-closed).
 * @example
 * curlRouting(['curl', '--resolve', 'x:80:127.0.0.1', 'http://x/']) // [{ option: '--resolve', target: { host: '127.0.0.1', … } }]
 */
export function curlRouting(argv: readonly string[]): RoutingTarget[] {
  const out: RoutingTarget[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] as string;
    const eq = word.indexOf('=');
    const [name, inline] =
      word.startsWith('--') && eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
    if (ROUTING.has(name)) {
      const value = inline ?? argv[++i];
      out.push(...(value === undefined ? [{ option: name, target: undefined }] : routeOf(name, value)));
    } else if (/^-x\S/.test(word)) {
      out.push(...routeOf('-x', word.slice(2)));
    }
  }
  return out;
}

// Programs whose non-option words are destinations (curl reads a bare host:port as http).
const FETCHERS = /^(?:curl|wget|wget2|http|https|xh|xhs|aria2c|lynx|links|w3m|nc|ncat|netcat|telnet|socat)$/;

// Options of curl and wget whose next word is their value (a file, a header, a count).
const TAKES_VALUE =
  /^-[a-zA-Z]*[oOHdeuAbcDEKrTwzCUmYyXFP]$|^--(?:output|output-document|header|data[a-z-]*|user-agent|user|referer|cookie|cookie-jar|config|cacert|cert|key|max-time|connect-timeout|retry|request|form|upload-file|write-out|range|limit-rate|interface|directory-prefix)$/;

/** Shell-ish words: quotes removed, split on whitespace and command separators. */
function words(text: string): string[][] {
  const commands: string[][] = [[]];
  for (const m of text.matchAll(/'([^']*)'|"([^"]*)"|([;&|\n]+)|([^\s'";&|]+)/g)) {
    if (m[3] !== undefined) commands.push([]);
    else (commands[commands.length - 1] as string[]).push(m[1] ?? m[2] ?? m[4] ?? '');
  }
  return commands.filter((c) => c.length > 0);
}

/**
 * Destinations named in command text by fetching programs: curl's routing options and the bare
 * `host[:port][/path]` words curl, wget, nc and friends connect to. Textual: the shell analysis can
 * call `curlRouting` on the words it parsed.
 */
export function commandDestinations(text: string): RoutingTarget[] {
  const out: RoutingTarget[] = [];
  for (const argv of words(text)) {
    const start = argv.findIndex((w) => FETCHERS.test(w.replace(/^.*\//, '')));
    if (start < 0) continue;
    const cmd = argv.slice(start);
    const program = (cmd[0] as string).replace(/^.*\//, '');
    if (program === 'curl') out.push(...curlRouting(cmd));
    for (let i = 1; i < cmd.length; i++) {
      const w = cmd[i] as string;
      if (w.startsWith('-')) continue;
      const prev = cmd[i - 1] as string;
      // The value of an option (`-o file`, `-H header`) is not a destination; routing ones are read above.
      if (TAKES_VALUE.test(prev)) continue;
      if (findTargets(w).length > 0) continue;
      // Only words shaped like a host: a dot, a colon or brackets (`nc 127.0.0.1 6379`, `curl localhost:8080`).
      if (!/[.:[]/.test(w) && w !== 'localhost') continue;
      const t = parseBareTarget(w);
      if (t !== undefined) out.push({ option: program, target: t });
    }
  }
  return out;
}
