import {
  type Detector,
  type Finding,
  finding,
  matchSet,
  type Pattern,
  patternSet,
  type ScanText,
  type TextRole,
} from '../detector.js';
import { analyzeShell } from './analyze.js';
import { readCodeValue } from './code-value.js';

/** Roles whose text is read as shell: commands, short values, and decoded text. */
export const SHELL_ROLES: readonly TextRole[] = ['command', 'value', 'decoded'];

// A value that is one word (a name, a path, a URL) runs nothing on its own: it is not parsed.
const SHELLISH = /[\s|;&<>$`(){}]/;

const MAX_VALUE_CHARS = 4096;

// Prose starts with a sentence word (`Never`, `Tester`, `Security:`, `note:`) followed by a plain
// word; a command line starts with a command name, a path, a variable or shell syntax, and a
// capitalised command name is followed by an option, a path or a URL, not by prose.
const SENTENCE_WORD = /^(?:[A-Z][A-Za-z'’]*[,:]?|[a-z]+:)$/;
const PLAIN_WORD = /^[A-Za-z][A-Za-z'’-]*[,.:;!?)]?$/;
// Markdown code spans: in prose they quote a command, as a quoted example does.
const CODE_SPAN = /``[^`\n]+?``|`[^`\n]+`/g;
// Syntax that starts another command after the prose one: a list or pipe operator, a substitution.
const NEXT_COMMAND = /[;|\n`]|&&|\$\(|[<>]\(|(?<![<>])&(?!>)/;

/** The text of prose with its markdown code spans blanked, or undefined when the text is not prose. */
function proseMasked(text: string): string | undefined {
  const body = text.trimStart();
  const first = body.split(/\s/, 1)[0] ?? '';
  if (!SENTENCE_WORD.test(first)) return undefined;
  const masked = text.replace(CODE_SPAN, (span) => ' '.repeat(span.length));
  const second = masked.trimStart().slice(first.length).trimStart().split(/\s/, 1)[0] ?? '';
  return PLAIN_WORD.test(second) ? masked : undefined;
}

/**
 * The text a `value` is analysed as, or undefined when it is prose that runs nothing. A value that
 * looks like a command line is analysed whole. Prose (a sentence word, then a plain word) is one
 * command whose name is that word: it runs something only where shell syntax starts another
 * command, and its markdown code spans are mentions, blanked before the analysis.
 */
function commandView(text: string): string | undefined {
  const masked = proseMasked(text);
  if (masked === undefined) return text;
  return NEXT_COMMAND.test(masked) ? masked : undefined;
}

/** The pseudo-detector id of text the gate could not read; its findings always block. */
const UNREADABLE = 'scan-limit';

function unreadable(t: ScanText, code: string): Finding {
  return { detector: UNREADABLE, code, path: t.path, span: [0, 0], match: t.text.slice(0, 120), via: t.via };
}

/**
 * A detector that reads the structural shell analysis (`analyzeShell`) and reports the findings of
 * its `id`; `also` names other ids it reports (exfiltration is a `credential` finding). The first
 * shell detector also reports command text the parser refused, which blocks (fail-closed).
 * `residual` patterns cover text in other languages (PowerShell, cmd.exe) that the parser does not read.
 */
export function structuralDetector(
  id: string,
  options: { also?: readonly string[]; reportsRefusal?: boolean; residual?: readonly Pattern[] } = {},
): Detector {
  const residual = options.residual === undefined ? undefined : patternSet(options.residual);
  const ids = new Set([id, ...(options.also ?? [])]);
  return {
    id,
    roles: SHELL_ROLES,
    scan(t, _call, out) {
      // Values and decoded text longer than a command line are data, not commands: not parsed.
      const data = t.role !== 'command' && (t.text.length > MAX_VALUE_CHARS || !SHELLISH.test(t.text));
      const text =
        t.role === 'command' ? t.text : data ? undefined : t.role === 'value' ? commandView(t.text) : t.text;
      // A value may be code in a scripting language: what its process and eval calls run is judged
      // too (read first, so that the shell analysis of `text` stays the one kept for the next detector).
      const code = t.role === 'command' || data ? undefined : readCodeValue(proseMasked(t.text) ?? t.text);
      if (code?.refusal !== undefined && options.reportsRefusal === true)
        out.push(unreadable(t, `shell_${code.refusal}`));
      const a = text === undefined ? undefined : analyzeShell(text);
      if (a !== undefined && !a.ok && options.reportsRefusal === true && t.role === 'command')
        out.push(unreadable(t, `shell_${a.refusal}`));
      const found = [...(a?.ok === true ? a.findings : []), ...(code?.findings ?? [])];
      for (const f of found) {
        if (!ids.has(f.detector)) continue;
        const at = Math.max(0, (text ?? t.text).indexOf(f.match));
        out.push({ ...finding(f.detector, f.code, t, at, f.match.length), match: f.match });
        if (f.detector === id) return;
      }
      if (residual === undefined) return;
      const m = matchSet(residual, t);
      if (m !== undefined) out.push(finding(id, m.code, t, m.index, m.length));
    },
  };
}
