import { commandName } from './commands.js';
import type { ShellCommand, ShellWord } from './model.js';
import { decodeEscapes } from './words.js';

/** Longest output of a substitution the analysis works out; longer output is left unknown. */
const MAX_OUTPUT = 4096;

/** `echo [-neE] words`: words joined by spaces, escapes decoded with `-e` (`\c` ends the output). */
function echo(words: readonly string[]): string {
  let i = 0;
  let escapes = false;
  for (; i < words.length && /^-[neE]+$/.test(words[i] as string); i++)
    for (const f of (words[i] as string).slice(1)) if (f !== 'n') escapes = f === 'e';
  const text = words.slice(i).join(' ');
  return escapes ? (decodeEscapes(text).split('\\c')[0] as string) : text;
}

const CONVERSION =
  /%(%|[-+ #0]*(\d*)(?:\.(\d+))?([sbcqdiouxXeEfgG]))|\\(?:x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|[0-7]{1,3}|.)/g;

/** `printf FORMAT args`: the format is reused while arguments remain, as printf reuses it. */
function printf(format: string, args: readonly string[]): string | undefined {
  let out = '';
  let k = 0;
  do {
    const before = k;
    out += format.replace(
      CONVERSION,
      (m, conv: string | undefined, width = '', precision: string | undefined, type = '') => {
        if (conv === undefined) return decodeEscapes(m);
        if (conv === '%') return '%';
        const arg = args[k++] ?? '';
        let s = type === 'b' ? decodeEscapes(arg) : type === 'c' ? arg.slice(0, 1) : arg;
        if (/[diouxX]/.test(type)) s = String(Number.parseInt(arg, 10) || 0);
        if (precision !== undefined && /[sbq]/.test(type)) s = s.slice(0, Number(precision));
        return s.padStart(Number(width || 0));
      },
    );
    if (k === before || out.length > MAX_OUTPUT) break;
  } while (k < args.length);
  return out;
}

// Lookups print where a named program is: the program run is the one named (`$(which python3)`).
function lookupOperand(name: string, args: readonly ShellWord[]): ShellWord | undefined {
  const opts = args.filter((w) => w.text.startsWith('-')).map((w) => w.text);
  const ops = args.filter((w) => !w.text.startsWith('-'));
  const looks =
    name === 'which' ||
    (name === 'command' && opts.some((o) => o === '-v' || o === '-V')) ||
    (name === 'type' && opts.some((o) => /^-[a-zA-Z]*[pP]/.test(o)));
  return looks && ops.length === 1 ? ops[0] : undefined;
}

/**
 * The output of a command substitution whose only command prints constant text: `echo`/`printf` of
 * literal words, `base64 -d` of a literal here-string, and lookups of a named program (`which x`,
 * `command -v x`, which stand for `x`). Output from echo, printf and base64 is `computed`: a
 * command name made of it is hidden from a reader. Undefined when the output is not known.
 */
export function substitutionValue(direct: readonly ShellCommand[]): ShellWord | undefined {
  if (direct.length !== 1) return undefined;
  const cmd = direct[0] as ShellCommand;
  if (cmd.path.dynamic || cmd.redirects.some((r) => r.op !== '<<<' && r.op !== '<<')) return undefined;
  if ((cmd.env ?? []).length > 0) return undefined;
  const name = commandName(cmd.path.text);
  const lookup = lookupOperand(name, cmd.args);
  if (lookup !== undefined) return { ...lookup, computed: lookup.computed === true };
  if (cmd.args.some((w) => w.dynamic || w.fetched || w.secret)) return undefined;
  const words = cmd.args.map((w) => w.text);
  let text: string | undefined;
  if (name === 'echo' && cmd.stdin === undefined) text = echo(words);
  else if (name === 'printf' && words[0] !== '-v') {
    const [format, ...rest] = words[0] === '--' ? words.slice(1) : words;
    text = format === undefined ? undefined : printf(format, rest);
  } else if (
    /^(?:base64|gbase64)$/.test(name) &&
    cmd.stdin !== undefined &&
    !cmd.stdin.dynamic &&
    words.length > 0 &&
    words.every((w) => /^(?:-d|-D|--decode|-i|--ignore-garbage)$/.test(w))
  )
    text = Buffer.from(cmd.stdin.text, 'base64').toString('latin1');
  if (text === undefined || text.length > MAX_OUTPUT) return undefined;
  // A substitution drops the trailing newlines of the output.
  return { text: text.replace(/\n+$/, ''), dynamic: false, fetched: false, secret: false, computed: true };
}
