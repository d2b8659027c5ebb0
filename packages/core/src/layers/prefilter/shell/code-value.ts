import { analyzeShell } from './analyze.js';
import { BROWSER_SECRET_GATE, browserSecretSend } from './browser-secrets.js';
import { decodedEvaluator } from './decoded-eval.js';
import type { ShellFinding } from './findings.js';
import { codeCommands } from './interpreter-code.js';
import type { ParseRefusal } from './parser.js';
import { lexScript, type ScriptLang } from './script-lexer.js';

/**
 * A value is not only a shell command or an interpreter one-liner: an expression, a template or a
 * page script may be code in a scripting language that calls its process or eval API. Such code is
 * judged by what it runs: the commands its process calls hand to a shell (read by the shell
 * analysis), text it decodes and then evaluates (hidden code), and a stored browser secret it sends
 * to another origin.
 */

/** Languages a value's code is read as; the language is not told, so each is tried. */
const LANGS: readonly ScriptLang[] = ['python', 'js', 'ruby', 'php', 'perl', 'lua'];

// Only text naming a process, eval or decode call, a module that starts processes, a command
// literal or a browser store can hold what is read here: everything else is skipped at once.
const GATE =
  /system|exec|popen|spawn|eval|Function|constructor|setTimeout|setInterval|runIn|passthru|proc_open|getoutput|check_output|check_call|Popen|subprocess|child_process|__import__|qx|%x|`|\bcall\b|\brun\b|\bopen\b|localStorage|sessionStorage|cookie/;

/** What reading a value as code found: findings in the shell analysis' terms, or a refusal. */
export interface CodeValueReading {
  readonly findings: readonly ShellFinding[];
  /** Set when a command the code runs could not be read (too large, too deep): fail closed. */
  readonly refusal?: ParseRefusal;
}

const NOTHING: CodeValueReading = { findings: [] };

let lastText: string | undefined;
let lastReading: CodeValueReading = NOTHING;

/**
 * Reads `text` as code in each scripting language: process calls' commands judged as shell, an
 * evaluator fed decoded text (`fetch-exec/decoded_eval`), a process call built from decoded text
 * (`fetch-exec/decoded_process_call`), and a browser secret sent away (`credential/browser_secret_send`).
 * The detectors read one text in a row: the last reading is kept.
 */
export function readCodeValue(text: string): CodeValueReading {
  if (text === lastText) return lastReading;
  const reading = GATE.test(text) ? read(text) : NOTHING;
  // A refusal because the parser is not loaded yet says nothing about the text: not kept.
  if (reading.refusal !== 'unready') {
    lastText = text;
    lastReading = reading;
  }
  return reading;
}

function read(text: string): CodeValueReading {
  const findings: ShellFinding[] = [];
  const add = (f: ShellFinding): void => {
    if (!findings.some((g) => g.detector === f.detector && g.code === f.code)) findings.push(f);
  };
  const commands = new Set<string>();
  let decodedCall = false;
  for (const lang of LANGS) {
    const c = codeCommands([text], lang);
    for (const cmd of c.commands) commands.add(cmd);
    decodedCall ||= c.decoded;
    const tokens = lexScript(text, lang);
    const evaluator = decodedEvaluator(tokens);
    if (evaluator !== undefined) add({ detector: 'fetch-exec', code: 'decoded_eval', match: evaluator });
    if (lang === 'js' && BROWSER_SECRET_GATE.test(text)) {
      const send = browserSecretSend(tokens);
      if (send !== undefined) add({ detector: 'credential', code: 'browser_secret_send', match: send });
    }
  }
  if (decodedCall) add({ detector: 'fetch-exec', code: 'decoded_process_call', match: text.slice(0, 120) });
  for (const cmd of commands) {
    // The value itself is read by the shell analysis already; only what its code runs is new.
    if (cmd === text) continue;
    const a = analyzeShell(cmd);
    if (!a.ok) return { findings, refusal: a.refusal };
    for (const f of a.findings) add(f);
  }
  return { findings };
}
