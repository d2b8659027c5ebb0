import { Language, type Node, Parser } from 'web-tree-sitter';
import { vendorFilePath } from '../../../vendor-files.js';

/** Longest text handed to the shell parser; longer command text is refused (fail-closed). */
export const MAX_SHELL_CHARS = 64 * 1024;
/** Most syntax nodes read from one parse; past it the text is refused (fail-closed). */
export const MAX_SHELL_NODES = 20_000;
/**
 * Deepest syntax tree read (levels from the root); deeper text is refused (fail-closed). The analyses
 * recurse along the tree, so the bound keeps them off the end of the stack; ordinary scripts (nested
 * loops, conditionals and substitutions) stay far below it.
 */
export const MAX_SHELL_NESTING = 200;
/**
 * Most progress reports one parse may make (the parser reports about every hundred steps of work);
 * past it the parse is cancelled and the text refused. Counted in steps, not milliseconds, so that a
 * text is refused or read the same on a fast machine and a slow one. A 40 KB script of ordinary
 * commands takes about 320; text built to make the parser work per byte (thousands of `|`) takes more.
 */
export const MAX_SHELL_PARSE_STEPS = 600;

let parser: Parser | undefined;
let pending: Promise<void> | undefined;

/** True once `initShellParser()` has finished: `scanArguments` can then read command text. */
export function shellParserReady(): boolean {
  return parser !== undefined;
}

/**
 * Loads the shell grammar (tree-sitter-bash, from core's vendor/ folder) once; later calls return the
 * same promise. Until it resolves, command text is reported as unreadable and blocks. A failed load
 * (a missing grammar file included) rejects, and the next call tries again.
 * @example
 * await initShellParser();
 */
export function initShellParser(): Promise<void> {
  pending ??= (async () => {
    await Parser.init();
    // The grammar ships in core's vendor/ folder; a missing file rejects, and the layer denies.
    const language = await Language.load(vendorFilePath('tree-sitter-bash'));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/**
 * Drops the loaded grammar, as if `initShellParser()` had never run: command text is refused until it
 * runs again. Exists so that tests can reach the fail-closed path; the gate never calls it.
 */
export function unloadShellParser(): void {
  parser?.delete();
  parser = undefined;
  pending = undefined;
}

/** Why a text was not parsed. */
export type ParseRefusal = 'unready' | 'too_large' | 'too_complex' | 'too_deep';

/** True when the tree under `root` has more than `limit` levels (walked without recursion). */
function deeperThan(root: Node, limit: number): boolean {
  const cursor = root.walk();
  try {
    let depth = 0;
    for (;;) {
      if (cursor.gotoFirstChild()) {
        if (++depth > limit) return true;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return false;
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Parses `text` as a shell script and hands the root node to `read` (the tree is freed afterwards).
 * Returns `read`'s result, or a refusal when the parser is not initialised, the text is too long, the
 * parse takes more than `MAX_SHELL_PARSE_STEPS`, or the tree has more nodes than `MAX_SHELL_NODES` or
 * more levels than `MAX_SHELL_NESTING`.
 */
export function withShellTree<T>(
  text: string,
  read: (root: Node) => T,
): { ok: true; value: T } | { ok: false; refusal: ParseRefusal } {
  if (parser === undefined) return { ok: false, refusal: 'unready' };
  if (text.length > MAX_SHELL_CHARS) return { ok: false, refusal: 'too_large' };
  let steps = 0;
  // Returning true from the progress callback cancels the parse (`parse` then returns null).
  const tree = parser.parse(text, null, { progressCallback: () => ++steps > MAX_SHELL_PARSE_STEPS });
  if (tree === null) {
    // A cancelled parse resumes on the next call unless the parser is reset.
    parser.reset();
    return { ok: false, refusal: 'too_complex' };
  }
  try {
    if (tree.rootNode.descendantCount > MAX_SHELL_NODES) return { ok: false, refusal: 'too_complex' };
    if (deeperThan(tree.rootNode, MAX_SHELL_NESTING)) return { ok: false, refusal: 'too_deep' };
    return { ok: true, value: read(tree.rootNode) };
  } catch (error) {
    // The stack ran out inside the analyses: the text is refused, like one past the bounds.
    if (error instanceof RangeError) return { ok: false, refusal: 'too_deep' };
    throw error;
  } finally {
    tree.delete();
  }
}
