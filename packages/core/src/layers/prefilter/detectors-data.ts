import { type Detector, finding, type TextRole } from './detector.js';

// The credential detector judges stand-ins with core's placeholder principle (see credential.ts).
export { credentialDetector } from './credential.js';
// The prompt-injection detector reads fake-turn markup in a document as a template (see injection.ts).
export { injectionDetector } from './injection.js';
// The sensitive-path detector asks core's path classifier (see sensitive-path.ts).
export { sensitivePathDetector } from './sensitive-path.js';

const NOT_DOCUMENTS: readonly TextRole[] = ['command', 'value', 'decoded'];

/** `path-traversal`: climbing out of a directory (deeply, encoded, or to system files) or NUL bytes. */
export const traversalDetector: Detector = {
  id: 'path-traversal',
  roles: NOT_DOCUMENTS,
  scan(t, _call, out) {
    const lower = t.lower;
    const nul = lower.indexOf('\u0000');
    if (nul >= 0) {
      out.push(finding('path-traversal', 'nul_byte', t, nul, 1));
      return;
    }
    if (!lower.includes('..') && !lower.includes('%')) return;
    const deep =
      /(?:\.\.\.?[/\\]+){3,}|(?:\.\.[/\\]+){1,}(?:etc|root|proc|windows|boot|var|usr|home)[/\\]|\.{4,}[/\\]{2}|(?:\.\.[/\\]+){2,}\.ssh\b/.exec(
        lower,
      );
    // An encoded climb (%2e%2e%2f, ..%2f, double encoding) is suspicious at any depth.
    const encoded = /(?:%2e|\.)(?:%2e|\.)(?:%2f|%5c)|%2e%2e[/\\]|%25(?:2e|2f|5c)/.exec(lower);
    const m = deep ?? encoded;
    if (m !== null)
      out.push(
        finding(
          'path-traversal',
          encoded === m ? 'encoded_traversal' : 'deep_traversal',
          t,
          m.index,
          m[0].length,
        ),
      );
  },
};
