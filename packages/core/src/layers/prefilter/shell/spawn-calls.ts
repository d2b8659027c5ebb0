import { lexScript, type ScriptLang, type ScriptToken } from './script-lexer.js';
import {
  partsValue,
  readExpr,
  readList,
  type ScriptTerm,
  type ScriptValue,
  type ScriptVars,
  UNKNOWN,
} from './script-values.js';

/** Splits a list of names written on one line. */
function words(list: string): readonly string[] {
  return list.split(' ');
}

/** Calls that start a process, per language: their string argument is a command line or an argv. */
const SPAWNS: Record<ScriptLang, readonly string[]> = {
  python: words(
    'system popen popen2 popen3 popen4 getoutput getstatusoutput run call check_call check_output Popen spawn execl execle execlp execlpe execv execve execvp execvpe spawnl spawnle spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe create_subprocess_shell create_subprocess_exec startfile',
  ),
  js: words(
    'exec execSync spawn spawnSync execFile execFileSync execa execaSync execaCommand execaCommandSync Command run',
  ),
  perl: words('system exec readpipe open'),
  ruby: words(
    'system exec spawn popen popen2 popen2e popen3 capture2 capture2e capture3 pipeline pipeline_r pipeline_rw pipeline_w pipeline_start open',
  ),
  php: words('system exec shell_exec passthru popen proc_open pcntl_exec expect_popen'),
  lua: words('execute popen'),
  awk: words('system'),
  applescript: words('doShellScript'),
  vim: words('system systemlist job_start jobstart termopen'),
};
/** Calls that run code of the same language: a literal argument is read as such code. */
const EVALS: Record<ScriptLang, readonly string[]> = {
  python: ['exec', 'eval', 'compile'],
  js: ['eval', 'Function', 'runInNewContext', 'runInThisContext', 'runInContext'],
  perl: ['eval'],
  ruby: ['eval', 'instance_eval', 'class_eval', 'module_eval'],
  php: ['eval', 'assert', 'create_function'],
  lua: ['load', 'loadstring', 'dostring'],
  awk: [],
  applescript: [],
  vim: [],
};
/** Languages whose calls may go without parentheses (`system "…"`, `os.execute"…"`). */
const PARENLESS = new Set<ScriptLang>(['perl', 'ruby', 'lua']);
const SHELL_NAME = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|zsh|dash|ksh)(?:\s|$)/;
/** Nested `exec("…")` code followed within one-liner code; each level is one more. */
const MAX_EVAL_DEPTH = 3;

/** What the process calls of a piece of code run: command lines, and whether some are not spelled out. */
export interface SpawnedCode {
  /** Shell command lines (argv lists are quoted into one). */
  readonly commands: string[];
  /** A process or eval call whose command is built at run time (variables, decoding, input). */
  hidden: boolean;
}

/** Quotes one argv element for the shell; unknown parts become a quoted unknown expansion. */
function quote(v: ScriptValue): string {
  return (
    v.text
      .split(UNKNOWN)
      .map((p) => `'${p.replace(/'/g, `'\\''`)}'`)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
      .join('"${__unknown}"')
  );
}

/** A command line with its unknown parts spelled as an expansion. */
function line(v: ScriptValue): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
  return v.text.split(UNKNOWN).join('${__unknown}');
}

/** The command a process call runs, from its arguments; undefined when it names none. */
function commandOf(
  name: string,
  lang: ScriptLang,
  terms: readonly ScriptTerm[],
): { text?: string; hidden: boolean } {
  let args = terms.filter((t) => t.kind !== 'skip');
  if (lang === 'python' && /^spawn[lv]/.test(name)) args = args.slice(1); // the mode comes first
  if (name === 'open') {
    // Only a pipe open runs a command: `open(F, "cmd |")`, `open(F, "-|", "cmd")`, `open("|cmd")`.
    const strs = args.flatMap((t) => (t.kind === 'str' ? [t.value] : []));
    const mode = strs.findIndex((v) => v.text === '-|' || v.text === '|-');
    if (mode >= 0)
      return commandOf(
        'system',
        lang,
        strs.slice(mode + 1).map((value) => ({ kind: 'str', value })),
      );
    const piped = strs.find((v) => /^\s*\||\|\s*$/.test(v.text));
    if (piped === undefined) return { hidden: false };
    return {
      text: line({ ...piped, text: piped.text.replace(/^\s*\||\|\s*$/g, '') }),
      hidden: piped.dynamic,
    };
  }
  const [first, second] = args;
  if (first === undefined) return { hidden: false };
  let argv: ScriptValue[] | undefined;
  const dropArg0 = lang === 'python' && /^(?:exec|spawn)[lv]/.test(name);
  if (first.kind === 'list') argv = [...first.items];
  else if (first.kind === 'str' && second?.kind === 'list')
    argv = [first.value, ...second.items.slice(dropArg0 ? 1 : 0)];
  else if (first.kind === 'str' && second?.kind === 'str' && (dropArg0 || lang === 'perl' || lang === 'ruby'))
    argv = args.flatMap((t) => (t.kind === 'str' ? [t.value] : [])).filter((_, k) => !dropArg0 || k !== 1);
  if (argv !== undefined) return { text: argv.map(quote).join(' '), hidden: argv.some((v) => v.dynamic) };
  if (first.kind !== 'str') return { hidden: true };
  if (first.value.text === UNKNOWN) return { hidden: true };
  return { text: line(first.value), hidden: first.value.dynamic };
}

function isText(t: ScriptToken | undefined, text: string): boolean {
  return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
}

/** Values of the strings and known names right before `at`, side by side (`c "|sh" | getline`). */
function valuesBefore(tokens: readonly ScriptToken[], at: number, vars: ScriptVars): string | undefined {
  let from = at;
  while (from > 0) {
    const t = tokens[from - 1];
    if (t?.kind === 'str' || (t?.kind === 'ident' && vars.has(t.text))) from--;
    else break;
  }
  if (from === at) return undefined;
  const r = readExpr(tokens, from, 'awk', vars);
  return r.term.kind === 'str' ? line(r.term.value) : undefined;
}

function scan(code: string, lang: ScriptLang, depth: number, out: SpawnedCode): void {
  const tokens = lexScript(code, lang);
  const vars: ScriptVars = new Map();
  const spawns = new Set(SPAWNS[lang]);
  const evals = new Set(EVALS[lang]);
  const add = (r: { text?: string; hidden: boolean }): void => {
    if (r.text !== undefined && r.text.trim() !== '') out.commands.push(r.text);
    out.hidden ||= r.hidden;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ScriptToken;
    const next = tokens[i + 1];
    if (t.kind === 'cmd') {
      // Backticks, `qx{}`, `%x()`: the literal is a command line.
      const v = partsValue(t.parts, vars);
      add({ text: line(v), hidden: v.dynamic });
      continue;
    }
    // Bun's and zx's `$\`…\`` runs a command line.
    if (lang === 'js' && isText(t, '$') && next?.kind === 'str' && next.quote === '`') {
      const v = partsValue(next.parts, vars);
      add({ text: line(v), hidden: v.dynamic });
      continue;
    }
    if (t.kind === 'ident' && isText(next, '=')) {
      const r = readExpr(tokens, i + 2, lang, vars);
      const callee = tokens[r.next - 1];
      // `s = os.system`: the name now calls the process function.
      if (
        r.next > i + 2 &&
        callee?.kind === 'ident' &&
        spawns.has(callee.text) &&
        !isText(tokens[r.next], '(')
      )
        spawns.add(t.text);
      else if (r.term.kind !== 'skip') vars.set(t.text, r.term);
    }
    // `from os import system as s`, `const { execSync: x } = …`.
    if (t.kind === 'ident' && spawns.has(t.text) && (isText(next, 'as') || isText(next, ':'))) {
      const alias = tokens[i + 2];
      if (alias?.kind === 'ident') spawns.add(alias.text);
    }
    // `getattr(os, "system")(…)`, `cp["execSync"](…)`: the function named by a string.
    const byString =
      t.kind === 'str' && (isText(next, ')') || isText(next, ']')) && isText(tokens[i + 2], '(')
        ? t.parts.map((p) => p.text).join('')
        : undefined;
    const name = byString ?? (t.kind === 'ident' ? t.text : undefined);
    // AppleScript's `do shell script "…"`.
    const phrase = lang === 'applescript' && isText(t, 'script') && isText(tokens[i - 1], 'shell');
    if (name === undefined && !phrase) continue;
    const isSpawn = phrase || (name !== undefined && spawns.has(name));
    const isEval = name !== undefined && evals.has(name);
    if (!isSpawn && !isEval) continue;
    if (isText(tokens[i - 1], 'def') || isText(tokens[i - 1], 'function') || isText(tokens[i - 1], 'sub'))
      continue;
    const open = byString === undefined ? i + 1 : i + 2;
    const paren = isText(tokens[open], '(');
    const bare =
      (PARENLESS.has(lang) || phrase) &&
      !paren &&
      tokens[open] !== undefined &&
      !isText(tokens[open], '.') &&
      !isText(tokens[open], '=');
    if (!paren && !bare) continue;
    const list = readList(tokens, paren ? open + 1 : open, lang, vars);
    if (isSpawn) {
      add(commandOf(phrase ? 'system' : (name as string), lang, list.terms));
      continue;
    }
    const [code0] = list.terms;
    if (code0?.kind === 'str' && !code0.value.dynamic && depth < MAX_EVAL_DEPTH)
      scan(code0.value.text, lang, depth + 1, out);
    else if (code0 !== undefined) out.hidden = true;
  }
  if (lang === 'awk') awkPipes(tokens, vars, out);
}

/** awk's `"cmd" | getline` and `print … | "cmd"`: both run a command; printing into a shell runs the text. */
function awkPipes(tokens: readonly ScriptToken[], vars: ScriptVars, out: SpawnedCode): void {
  for (let i = 0; i < tokens.length; i++) {
    if (!isText(tokens[i], '|') && !isText(tokens[i], '|&')) continue;
    if (isText(tokens[i + 1], 'getline')) {
      const c = valuesBefore(tokens, i, vars);
      if (c !== undefined) out.commands.push(c);
      else out.hidden = true;
      continue;
    }
    const target = readExpr(tokens, i + 1, 'awk', vars);
    if (target.term.kind !== 'str') continue;
    const cmd = line(target.term.value);
    out.commands.push(cmd);
    if (!SHELL_NAME.test(cmd)) continue;
    let p = i - 1;
    while (p >= 0 && !isText(tokens[p], 'print') && !isText(tokens[p], 'printf') && !isText(tokens[p], ';'))
      p--;
    if (isText(tokens[p], 'print') || isText(tokens[p], 'printf')) {
      const printed = readList(tokens, p + 1, 'awk', vars).terms[0];
      if (printed?.kind === 'str') out.commands.push(line(printed.value));
    }
  }
}

/**
 * The shell commands a one-liner in `lang` hands to its process calls (`os.system`, `subprocess.run`,
 * `system`, backticks, `qx`, `%x`, `child_process.exec`, `shell_exec`, awk's `system()` and pipes,
 * `do shell script`), read from the string literals passed to them.
 */
export function spawnedCommands(code: string, lang: ScriptLang): SpawnedCode {
  const out: SpawnedCode = { commands: [], hidden: false };
  scan(code, lang, 0, out);
  return out;
}

/** Process call names of `lang`, for a reading of the raw text that does not depend on the lexer. */
export function spawnNames(lang: ScriptLang): readonly string[] {
  return SPAWNS[lang];
}
