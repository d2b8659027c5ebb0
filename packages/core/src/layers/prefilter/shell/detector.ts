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

/** Roles whose text is read as shell: commands, short values, and decoded text. */
export const SHELL_ROLES: readonly TextRole[] = ['command', 'value', 'decoded'];

// A value that is one word (a name, a path, a URL) runs nothing on its own: it is not parsed.
const SHELLISH = /[\s|;&<>$`(){}]/;

const MAX_VALUE_CHARS = 4096;

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
      if (t.role === 'command' || (t.text.length <= MAX_VALUE_CHARS && SHELLISH.test(t.text))) {
        const a = analyzeShell(t.text);
        if (!a.ok) {
          if (options.reportsRefusal === true && t.role === 'command')
            out.push(unreadable(t, `shell_${a.refusal}`));
        } else {
          for (const f of a.findings) {
            if (!ids.has(f.detector)) continue;
            const at = Math.max(0, t.text.indexOf(f.match));
            out.push({ ...finding(f.detector, f.code, t, at, f.match.length), match: f.match });
            if (f.detector === id) return;
          }
        }
      }
      if (residual === undefined) return;
      const m = matchSet(residual, t);
      if (m !== undefined) out.push(finding(id, m.code, t, m.index, m.length));
    },
  };
}
