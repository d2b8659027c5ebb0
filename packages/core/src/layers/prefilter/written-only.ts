import type { Node } from 'web-tree-sitter';
import { commandName, effectiveCommand, hasFlag, operands, optionValue } from './shell/commands.js';
import type { ShellCommand, ShellWord } from './shell/model.js';
import { withShellTree } from './shell/parser.js';

// Commands that change a file's mode, owner, existence or times: none reads what the file holds.
const METADATA_ONLY = new Set([
  'chmod',
  'chown',
  'chgrp',
  'chattr',
  'mkdir',
  'rmdir',
  'rm',
  'unlink',
  'touch',
  'shred',
  'truncate',
]);
// Commands whose last operand (or `-t` directory) is the file they create.
const COPIES = new Set(['cp', 'mv', 'install']);
// Options whose value is a file a command writes, whatever the command.
const OUTPUT_OPTIONS = ['--output', '--output-file', '--outfile', '--out', '--keyout'];
// ssh-keygen modes that read the key named by `-f` (print, list, export, change, sign, …).
const KEYGEN_READS = 'yleipcBDFHKLQRsYkug';
const OUTPUT_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '>&']);
// A word with nothing the shell expands or splits: its text is the file it names.
const LITERAL = /^[^$`()<>|;&\\\s{}*?[\]]+$/;

interface NodeWord extends ShellWord {
  readonly node: Node;
}

function literal(node: Node): NodeWord {
  const plain = LITERAL.test(node.text.replace(/^(["'])(.*)\1$/s, '$2'));
  const text = node.text.replace(/^(["'])(.*)\1$/s, '$2');
  return { text: plain ? text : node.text, dynamic: !plain, fetched: false, secret: false, node };
}

/** The words of one command that it writes, creates or changes without reading their content. */
function unreadWords(words: readonly NodeWord[]): ShellWord[] {
  const [head, ...rest] = words;
  if (head === undefined) return [];
  const cmd: ShellCommand = {
    index: 0,
    path: head,
    args: rest,
    redirects: [],
    stdin: undefined,
    pipeline: 0,
    stage: 0,
    owner: -1,
    inFunction: '',
  };
  const e = effectiveCommand(cmd);
  if (e.dynamicName) return [];
  const out: (ShellWord | undefined)[] = [];
  if (METADATA_ONLY.has(e.name)) out.push(...operands(e.args));
  if (e.name === 'tee') out.push(...operands(e.args));
  if (COPIES.has(e.name)) {
    const dir = optionValue(e.args, ['-t'], ['--target-directory']);
    const ops = operands(e.args);
    out.push(dir ?? (ops.length >= 2 ? ops[ops.length - 1] : undefined));
  }
  if (e.name === 'ssh-keygen' && !hasFlag(e.args, KEYGEN_READS, []))
    out.push(optionValue(e.args, ['-f'], [], false));
  if (e.name === 'openssl') out.push(optionValue(e.args, [], ['-out', '-keyout']));
  if (e.name === 'curl') out.push(optionValue(e.args, ['-o'], []));
  if (e.name === 'wget') out.push(optionValue(e.args, ['-O'], ['--output-document']));
  if (e.name === 'dd') out.push(...e.args.filter((w) => w.text.startsWith('of=')));
  out.push(optionValue(e.args, [], OUTPUT_OPTIONS));
  for (const w of e.args) if (OUTPUT_OPTIONS.some((o) => w.text.startsWith(`${o}=`))) out.push(w);
  return out.filter((w): w is ShellWord => w !== undefined && !w.dynamic);
}

/** Source spans of the words in `root` that are only written, created or changed. */
function unreadSpans(root: Node): Node[] {
  const spans: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.type === 'file_redirect') {
      const op = node.children.find((c) => !c.isNamed)?.text ?? '';
      const dest =
        node.childForFieldName('destination') ?? node.namedChildren.find((c) => c.type !== 'file_descriptor');
      if (OUTPUT_REDIRECTS.has(op) && dest != null && !literal(dest).dynamic && !/^\d+$/.test(dest.text))
        spans.push(dest);
    } else if (node.type === 'command') {
      const name = node.childForFieldName('name');
      const args = node.namedChildren.filter(
        (c) =>
          c !== name &&
          !/^(?:variable_assignment|file_redirect|herestring_redirect|heredoc_redirect|comment)$/.test(
            c.type,
          ),
      );
      if (name !== null && commandName(name.text) !== '') {
        const words = [name, ...args].map(literal);
        for (const w of unreadWords(words)) if ('node' in w) spans.push((w as NodeWord).node);
      }
    }
    for (const child of node.namedChildren) stack.push(child);
  }
  return spans;
}

/**
 * `text` with the words a shell command only writes, creates or changes (the target of an output
 * redirection, `tee`, a copy's destination, a generator's output file, the operands of `chmod`,
 * `chown`, `mkdir`, `rm`, `touch`) blanked out, so that what is left names the files it reads or
 * sends. Words holding an expansion or a substitution are kept; text that cannot be parsed is
 * returned unchanged (every word counts as read).
 */
export function maskWrittenOnly(text: string): string {
  // The analysis joins line continuations first; offsets would no longer match the text.
  if (text.includes('\\\n') || text.includes('\\\r\n')) return text;
  // Text the grammar had to recover from may not run as its tree says: every word counts as read.
  const parsed = withShellTree(text, (root) =>
    root.hasError ? [] : unreadSpans(root).map((n) => [n.startIndex, n.endIndex, n.text] as const),
  );
  if (!parsed.ok || parsed.value.length === 0) return text;
  let out = text;
  for (const [from, to, word] of parsed.value) {
    // Offsets count UTF-16 units here; a span that does not hold its word is left as it is.
    if (text.slice(from, to) !== word) continue;
    out = out.slice(0, from) + ' '.repeat(to - from) + out.slice(to);
  }
  return out;
}
