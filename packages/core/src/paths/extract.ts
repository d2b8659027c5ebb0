/**
 * Finds the strings in a call's arguments that name files: values under path-like keys, strings
 * shaped like paths, and the words of command strings.
 */

import { maskWrittenOnly } from '../layers/prefilter/written-only.js';
import { MAX_PATH_LENGTH } from './normalize-path.js';

/** Where a path candidate came from: a whole argument value, or a word of a command string. */
export type PathSource = 'value' | 'word';

/** One string of the arguments that may name a file. */
export interface PathCandidate {
  readonly raw: string;
  readonly source: PathSource;
  /** The argument key the string was found under. */
  readonly key: string;
  /** For words: the command moves, deletes, links or changes files (`mv`, `rm`, `ln`, `chmod`, …). */
  readonly mutates?: boolean;
  /** For words: the command changes or writes files (`mutates`, or `>`, `tee`, `sed -i`, …). */
  readonly writes?: boolean;
  /** For words: the command only writes or changes this file (`> f`, `chmod 600 f`), never reads it. */
  readonly writtenOnly?: boolean;
}

/** Limits on the walk; past them the caller must deny (fail-closed). */
export const PATH_EXTRACT_LIMITS = Object.freeze({ depth: 64, nodes: 100_000, candidates: 2048 });

/** Thrown when the arguments cannot be read in full for paths. */
export class PathExtractLimitError extends Error {
  override readonly name = 'PathExtractLimitError';
}

const PATH_KEY =
  /(?:path|file|dir|folder|dest|target|source|src|uri|url|location|cwd|root|glob|pattern|from|^to$|output|input|name)s?$/i;
const COMMAND_KEY = /^(?:command|cmd|commandline|command_line|script|shell|args|argv|exec|run|code)s?$/i;
const PATH_SHAPE =
  /^(?:[/~]|\$\{?(?:HOME|USERPROFILE)\b|%(?:HOME|USERPROFILE)%|\$env:|file:|\.{1,2}(?:[/\\]|$)|[a-z]:[/\\]|\\\\)/i;
// Shell words: split on whitespace, quotes and the shell's operators.
// Commands that move, delete, link or change files: a directory named by one of them may be replaced.
const MUTATING_COMMAND =
  /(?:^|[\s;&|(`])(?:sudo\s+)?(?:mv|rm|rmdir|cp|rsync|ln|unlink|chmod|chown|chattr|truncate|tar|unzip|find|mount|install|rename|shred|robocopy|move|del|rd|Remove-Item|Move-Item)(?=\s)/i;
// A `find` that selects by name, path, age or size removes what it selects, not the directory it
// searches: such a segment moves nothing a gate file could be in.
const FILTERED_FIND =
  /(?:^|[\s;&|(`])find\s[^;&|\n]*?\s-(?:i?name|i?path|i?wholename|i?regex|newer|mtime|mmin|size|empty)\s[^;&|\n]*/gi;
// Commands that write into files they name: the above, output redirections (not to /dev/null or
// another descriptor), and the writers that take a file argument.
const WRITING_COMMAND =
  /(?:^|[\s;&|(`])(?:sudo\s+)?(?:tee|dd|sed\s+-[a-z]*i|perl\s+-[a-z]*i|Set-Content|Out-File|Add-Content)(?=\s)|>>?(?!\s*&)(?!\s*\/dev\/(?:null|stdout|stderr)\b)/i;
const WORD_SPLIT = /[\s"'`;&|<>()=,]+/;
// Text that a call carries rather than targets: what a write puts in a file, what a message says.
const CONTENT_KEY =
  /^(?:content|contents|text|body|message|description|comment|summary|title|note|notes|new_?text|old_?text|new_?string|old_?string|prompt|markdown|html)s?$/i;

/** True when `s` holds a line break (`\n` or `\r`); a character search, not a RegExp scan. */
function hasLineBreak(s: string): boolean {
  return s.includes('\n') || s.includes('\r');
}

/** True when a whole string reads as a path: one line, and path-shaped or a slash-separated word. */
export function looksLikePath(s: string): boolean {
  if (s.length === 0 || s.length > MAX_PATH_LENGTH || hasLineBreak(s)) return false;
  if (PATH_SHAPE.test(s)) return true;
  return !/\s/.test(s) && /[/\\]/.test(s) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

/** The words of a command string that could name files (all words; the caller filters). */
export function commandWords(s: string): string[] {
  const out: string[] = [];
  for (const w of s.split(WORD_SPLIT)) {
    // `2>file`, `--output=file` and `-ofile` are split above or keep their path after the operator.
    if (w.length === 0 || w.length > MAX_PATH_LENGTH) continue;
    out.push(w.replace(/^-{1,2}[a-z0-9-]*(?=[/~.])/i, ''));
  }
  return out;
}

/**
 * Visits every string of `args` with the key it stands under, within `PATH_EXTRACT_LIMITS` (depth,
 * values, cycles); throws `PathExtractLimitError` past them.
 */
function eachString(args: unknown, visit: (value: string, key: string) => void): void {
  let nodes = 0;
  const walk = (value: unknown, key: string, depth: number, stack: Set<object>): void => {
    if (++nodes > PATH_EXTRACT_LIMITS.nodes) throw new PathExtractLimitError('too many argument values');
    if (typeof value === 'string') {
      visit(value, key);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > PATH_EXTRACT_LIMITS.depth) throw new PathExtractLimitError('arguments are nested too deeply');
    if (stack.has(value)) throw new PathExtractLimitError('arguments contain a cycle');
    stack.add(value);
    if (Array.isArray(value)) for (const item of value) walk(item, key, depth + 1, stack);
    else for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], k, depth + 1, stack);
    stack.delete(value);
  };
  walk(args, '', 0, new Set());
}

/**
 * The path candidates of a call's arguments. Command strings contribute every word (so a bare
 * `team.policy` is seen); other strings contribute themselves when their key names a path or they
 * are shaped like one. Throws `PathExtractLimitError` past `PATH_EXTRACT_LIMITS`.
 * @example
 * extractPaths({ command: "printf x > ~/.zshenv" }) // [..., { raw: '~/.zshenv', source: 'word' }]
 */
export function extractPaths(args: unknown): PathCandidate[] {
  const out: PathCandidate[] = [];
  const seen = new Set<string>();
  const add = (
    raw: string,
    source: PathSource,
    key: string,
    mutates = false,
    writes = mutates,
    writtenOnly = false,
  ): void => {
    const id = `${source}\u0000${raw}`;
    if (seen.has(id)) return;
    seen.add(id);
    if (out.length >= PATH_EXTRACT_LIMITS.candidates)
      throw new PathExtractLimitError('too many paths in the arguments');
    out.push({
      raw,
      source,
      key,
      ...(mutates ? { mutates } : {}),
      ...(writes ? { writes } : {}),
      ...(writtenOnly ? { writtenOnly } : {}),
    });
  };
  eachString(args, (value, key) => {
    // Command keys, and any other one-line value that is not content: a shell tool may call its
    // command argument anything (`input`, `line`), and its words must still be seen.
    if (COMMAND_KEY.test(key) || (!CONTENT_KEY.test(key) && !hasLineBreak(value) && /\s/.test(value))) {
      const mutates = MUTATING_COMMAND.test(value.replace(FILTERED_FIND, ' '));
      const writes = mutates || WRITING_COMMAND.test(value);
      const words = commandWords(value);
      // The words left once what the command only writes is blanked are the ones it reads.
      const read = words.some(looksLikePath) ? new Set(commandWords(maskWrittenOnly(value))) : undefined;
      for (const w of words) add(w, 'word', key, mutates, writes, read !== undefined && !read.has(w));
    }
    if (
      looksLikePath(value) ||
      (PATH_KEY.test(key) && value.length <= MAX_PATH_LENGTH && !hasLineBreak(value))
    )
      add(value, 'value', key);
  });
  return out;
}

/**
 * The strings of a call's arguments that name files, for the policy's path classes (`any string is
 * credential`) where no path layer ran: whole strings shaped like paths, bare names under path-like
 * keys (`{ path: '.envrc' }`), and the path-shaped words of one-line strings other than content
 * (`cat ~/.ssh/id_rsa | base64`; but not a file's text that mentions `~/.bashrc`). `normalize` is
 * applied to every string first. Throws `PathExtractLimitError` past `PATH_EXTRACT_LIMITS`.
 * @example
 * pathTextsOf({ path: '.envrc', content: 'see ~/.bashrc' }) // ['.envrc']
 */
export function pathTextsOf(args: unknown, normalize: (s: string) => string = (s) => s): string[] {
  const out = new Set<string>();
  const add = (s: string): void => {
    out.add(s);
    if (out.size > PATH_EXTRACT_LIMITS.candidates)
      throw new PathExtractLimitError('too many paths in the arguments');
  };
  eachString(args, (value, key) => {
    {
      const s = normalize(value);
      if (looksLikePath(s)) add(s);
      else if (s.length > MAX_PATH_LENGTH || hasLineBreak(s)) return;
      // A bare name under a path key; a pattern (`*.key`) is a search, not a file.
      else if (PATH_KEY.test(key) && s !== '' && !/[\s*?[]/.test(s)) add(s);
      // Words a command only writes or changes (`> .secrets/session.key`, `chmod 600 f`) name no
      // file whose content it reads; the rest are read or sent.
      else if (!CONTENT_KEY.test(key) && commandWords(s).some(looksLikePath))
        // Parsed only when some word could name a file: most values name none.
        for (const w of commandWords(maskWrittenOnly(s))) if (looksLikePath(w)) add(w);
    }
  });
  return [...out];
}
