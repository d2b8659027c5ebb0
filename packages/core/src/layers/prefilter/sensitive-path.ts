import { classifyPath } from '../../paths/classify.js';
import { commandWords, looksLikePath } from '../../paths/extract.js';
import { type Detector, finding, patternDetector, type ScanText, type TextRole } from './detector.js';
import { TextFlag } from './text-profile.js';
import { maskWrittenOnly } from './written-only.js';

const NOT_DOCUMENTS: readonly TextRole[] = ['command', 'value', 'decoded'];

// What the path classifier does not call a credential file, but reading it still leaks secrets:
// the account list, the container runtime's socket, browser stores, Windows hives, project files
// that hold secrets by convention.
const leakPatterns = patternDetector('sensitive-path', NOT_DOCUMENTS, [
  { code: 'system_credentials', re: /\/etc\/passwd(?![\w.-])/ },
  { code: 'process_secrets', re: /\/var\/run\/docker\.sock\b|\/run\/docker\.sock\b/ },
  {
    code: 'browser_secrets',
    re: /(?:chrome|chromium|firefox|brave|edge)[^\n]{0,120}(?:login data|cookies|key4\.db|logins\.json|local state)\b/,
  },
  { code: 'windows_secrets', re: /[/\\]system32[/\\]config[/\\](?:sam|system|security)\b|\bntds\.dit\b/ },
  { code: 'project_secrets', re: /\bterraform\.tfstate\b|\bwp-config\.php\b/ },
]);

// A word that may name a file: it has a separator, or starts like a home, a dot-file or a variable.
const PATHISH_WORD = /[/\\]|^[~.$%]/;
// Separators of simple commands within a command line.
const COMMAND_BREAK = /&&|\|\||[;|&\n]/;
// Commands whose last operand is a file they create.
const CREATES = /^(?:cp|mv|install|ln|touch)$/;

/** The stem of a file's name: `.env` of `.env`, `credentials` of `credentials.json`. */
function stem(word: string): string {
  const base = word.slice(Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1);
  const dot = base.indexOf('.', 1);
  return dot < 0 ? base : base.slice(0, dot);
}

/**
 * The words of a text that name credential files. A text that is a whole path is one word; a
 * command contributes its path-like words. Creating a credential file from its template
 * (`cp .env.example .env`) reads no secret, so the created file is left out.
 */
function credentialWords(text: string, templates = true): string[] {
  const whole = text.trim();
  if (looksLikePath(whole)) return isCredential(whole) ? [whole] : [];
  const out: string[] = [];
  for (const segment of text.split(COMMAND_BREAK)) {
    const words = commandWords(segment);
    const verb = words[0] === 'sudo' ? words[1] : words[0];
    const operands = words.filter((w) => !w.startsWith('-'));
    const created = verb !== undefined && CREATES.test(verb) ? operands[operands.length - 1] : undefined;
    const fromTemplate =
      templates &&
      created !== undefined &&
      operands
        .slice(1, -1)
        .every((w) => !isCredential(w) && stem(w).toLowerCase() === stem(created).toLowerCase());
    for (const w of words) {
      if (fromTemplate && w === created) continue;
      if (PATHISH_WORD.test(w) && isCredential(w)) out.push(w);
    }
  }
  return out;
}

function isCredential(word: string): boolean {
  return classifyPath(word)?.classes.includes('credential') === true;
}

/**
 * `sensitive-path`: files that hold secrets. Credential files are what core's path classifier calls
 * `credential` (private keys, token and login files, credential stores, `.env` files, the system's
 * secret files, `/proc/<pid>/environ`), in any spelling it normalises (`~`, `$HOME`, `file://`,
 * backslashes, percent encoding), where a command reads or sends them (see `maskWrittenOnly`); a few files that leak secrets without being credential files
 * (`/etc/passwd`, the docker socket, browser stores) are matched by pattern.
 */
export const sensitivePathDetector: Detector = {
  id: 'sensitive-path',
  roles: NOT_DOCUMENTS,
  scan(t, call, out) {
    // Windows paths: read `C:\Users\x\.aws\credentials` as `c:/users/x/.aws/credentials`.
    const view: ScanText = t.flags & TextFlag.Backslash ? { ...t, lower: t.lower.replace(/\\/g, '/') } : t;
    const before = out.length;
    leakPatterns.scan(view, call, out);
    if (out.length > before) return;
    let text = t.text;
    let hit = credentialWords(text)[0];
    // In a command (and text decoded from one, read as shell too), a credential file counts where it
    // is read or sent, not where it is only written, created or has its mode changed
    // (`openssl rand > k && chmod 600 k`, `ssh-keygen -f k`).
    if (hit !== undefined && (t.role === 'command' || t.role === 'decoded')) {
      const masked = maskWrittenOnly(text);
      // The copy's destination is blanked already: what is left of a copy is its sources.
      if (masked !== text) hit = credentialWords(masked, false)[0];
      text = masked;
    }
    if (hit === undefined) return;
    const index = Math.max(0, text.indexOf(hit));
    out.push(finding('sensitive-path', 'credential_file', t, index, hit.length));
  },
};
