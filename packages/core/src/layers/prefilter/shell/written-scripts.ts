import { type EffectiveCommand, operands } from './commands.js';
import { codeCommands, type EmbeddedCommands, langOf } from './interpreter-code.js';
import type { ShellWord } from './model.js';
import { isShell } from './roles.js';
import type { ScriptLang } from './script-lexer.js';

/** Text a command writes into a file, as the script spells it out. */
export interface WrittenText {
  readonly file: string;
  readonly text: string;
  /** `>>` and `tee -a` add to what the file held. */
  readonly append: boolean;
}

const EXTENSIONS: Readonly<Record<string, ScriptLang>> = {
  py: 'python',
  pl: 'perl',
  pm: 'perl',
  rb: 'ruby',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
  ts: 'js',
  php: 'php',
  lua: 'lua',
  awk: 'awk',
  applescript: 'applescript',
  scpt: 'applescript',
};

/** What `echo`/`printf` print: their words, with `\n` and `\t` as the line breaks they stand for. */
function printed(e: EffectiveCommand): string {
  const words = e.args.map((w) => w.text);
  const from = e.name === 'echo' ? words.findIndex((w) => !/^-[neE]+$/.test(w)) : 0;
  return words
    .slice(from < 0 ? words.length : from)
    .join(' ')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t');
}

/**
 * The text `e` writes into a file: `echo …`/`printf …` redirected into it, or a heredoc or
 * here-string that `cat > f` or `tee f` copies there. Undefined for anything else.
 */
export function writtenText(e: EffectiveCommand): WrittenText | undefined {
  const out = e.source.redirects.find((r) => r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>');
  if (e.name === 'echo' || e.name === 'printf') {
    return out === undefined
      ? undefined
      : { file: out.target.text, text: printed(e), append: out.op === '>>' };
  }
  const stdin = e.source.stdin;
  if (stdin === undefined) return undefined;
  if (e.name === 'cat' && out !== undefined && operands(e.args).length === 0)
    return { file: out.target.text, text: stdin.text, append: out.op === '>>' };
  const file = operands(e.args)[0];
  if (e.name === 'tee' && file !== undefined)
    return {
      file: file.text,
      text: stdin.text,
      append: e.args.some((w) => w.text === '-a' || w.text === '--append'),
    };
  return undefined;
}

/** The language a written file is run as: by the interpreter named, else its `#!` line, else its extension. */
function scriptLang(e: EffectiveCommand, file: ShellWord, text: string): ScriptLang | 'shell' | undefined {
  if (isShell(e) || e.name === 'source' || e.name === '.') return 'shell';
  const named = langOf(e.name);
  if (named !== undefined) return named;
  const shebang = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(\S+)/.exec(text)?.[1];
  if (shebang !== undefined)
    return langOf(shebang) ?? (/^(?:ba|z|da|k)?sh$/.test(shebang) ? 'shell' : undefined);
  const ext = /\.([a-z]+)$/i.exec(file.text)?.[1]?.toLowerCase();
  return ext === undefined || ext === 'sh' ? 'shell' : EXTENSIONS[ext];
}

/**
 * The commands a file written earlier in the same script hands to a shell when `e` runs it: the whole
 * text for a shell script, the process calls of a Python/Perl/Ruby/JavaScript/PHP one.
 */
export function writtenScriptCommands(e: EffectiveCommand, file: ShellWord, text: string): EmbeddedCommands {
  const lang = scriptLang(e, file, text);
  if (lang === undefined) return { commands: [], decoded: false };
  if (lang === 'shell') return { commands: [text], decoded: false };
  return codeCommands([text], lang);
}
