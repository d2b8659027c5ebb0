import { buildModel } from './build.js';
import { type EffectiveCommand, effectiveCommand } from './commands.js';
import { analyzeEffects } from './effects.js';
import { type ShellFinding, ShellFindings } from './findings.js';
import { analyzeFlow, outputOf } from './flow.js';
import { type ParseRefusal, withShellTree } from './parser.js';

/** How deep `sh -c '…'`, `eval`, heredocs fed to a shell are followed; deeper is refused. */
export const MAX_SHELL_DEPTH = 4;

/** The result of analysing one text: findings, or why it could not be read. */
export type ShellAnalysis =
  | { readonly ok: true; readonly findings: readonly ShellFinding[] }
  | { readonly ok: false; readonly refusal: ParseRefusal };

/**
 * Most distinct texts one analysis follows (`sh -c` code, heredocs, commands an interpreter's code
 * hands to a shell), over all depths; past it the text is refused (fail-closed).
 */
export const MAX_SHELL_TEXTS = 256;

function analyzeAt(
  text: string,
  depth: number,
  found: ShellFindings,
  seen: Set<string>,
): ParseRefusal | undefined {
  if (depth > MAX_SHELL_DEPTH) return 'too_deep';
  const inner: string[] = [];
  // The shell removes line continuations before it splits words (`cu\\<newline>rl` is `curl`).
  const joined = text.includes('\\\n') || text.includes('\\\r\n') ? text.replace(/\\\r?\n/g, '') : text;
  const parsed = withShellTree(joined, (root) => {
    const model = buildModel(root, (cmd) => outputOf(effectiveCommand(cmd)));
    const eff: EffectiveCommand[] = model.commands.map(effectiveCommand);
    analyzeFlow(model, eff, found, (code) => inner.push(code));
    analyzeEffects(model, eff, found);
  });
  if (!parsed.ok) return parsed.refusal;
  for (const code of inner) {
    // The same text judged twice finds the same things.
    if (seen.has(code)) continue;
    seen.add(code);
    if (seen.size > MAX_SHELL_TEXTS) return 'too_complex';
    const refused = analyzeAt(code, depth + 1, found, seen);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

let lastText: string | undefined;
let lastResult: ShellAnalysis | undefined;

/** Drops the kept result (called at the start and end of every scan). */
export function forgetShellAnalysis(): void {
  lastText = undefined;
  lastResult = undefined;
}

/**
 * Parses `text` as a shell script and reports what it fetches, executes, writes where and sends
 * away. The five shell detectors read one text in a row: the last result is kept until the scan ends.
 */
export function analyzeShell(text: string): ShellAnalysis {
  if (text === lastText && lastResult !== undefined) return lastResult;
  const found = new ShellFindings();
  const refusal = analyzeAt(text, 0, found, new Set());
  const result: ShellAnalysis =
    refusal === undefined ? { ok: true, findings: found.list } : { ok: false, refusal };
  lastText = text;
  lastResult = result;
  return result;
}
