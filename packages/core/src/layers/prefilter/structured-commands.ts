/**
 * File content that is structured data (JSON, JSONC, YAML-ish, TOML-ish) is read with its keys, as
 * arguments are: a string under a key that names a command (`run`, `command`, `entrypoint`,
 * `postCreateCommand`, …) or inside a container of commands (`scripts`, `hooks`, a `[*.tasks]` table)
 * is a command line that a package manager, CI runner, container engine or editor runs. Everything
 * else keeps its role. Reading is bounded (size, depth, nodes, commands); past a bound it fails closed.
 */

import type { ScanText } from './detector.js';
import { normalize } from './normalize.js';
import { profileText } from './text-profile.js';

/** Bounds on reading one text as structured data. */
export const STRUCTURED_LIMITS = Object.freeze({
  maxChars: 4 * 1024 * 1024,
  maxDepth: 128,
  maxNodes: 200_000,
  maxCommands: 1024,
});

/** One command found in data: the key it was under and its text. */
export interface DataCommand {
  readonly key: string;
  readonly text: string;
}

/** The commands of a text read as data; `limit` names the bound it stopped at (fail closed). */
export interface DataReading {
  readonly commands: readonly DataCommand[];
  readonly limit?:
    | 'structured_too_large'
    | 'structured_too_deep'
    | 'structured_too_many_nodes'
    | 'structured_too_many_commands';
}

const NONE: DataReading = { commands: [] };

/** Keys whose string (or list of strings) value is a command line. */
const COMMAND_KEY =
  /^(?:run|commands?|cmd|script|exec|entrypoint|entry_point|shell_command|before_script|after_script|before_install)$|(?:command|[-_]cmd)$/i;
/** Keys whose every nested string is a command line (`scripts`, git hooks, a task table). */
const COMMAND_CONTAINER = /^(?:scripts|hooks|githooks|husky|simple-git-hooks|lint-staged|pre-commit|tasks)$/i;

/** Quotes an argv element for the shell. */
function quoteArg(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Reads `text` as structured data and returns the command lines its keys name. Text that is not
 * JSON and does not look like YAML or TOML has none.
 */
export function structuredCommands(text: string): DataReading {
  const body = text.trim();
  const first = body[0];
  const jsonish = (first === '{' && body.endsWith('}')) || (first === '[' && body.endsWith(']'));
  if (!jsonish && !body.includes('\n')) return NONE;
  if (body.length > STRUCTURED_LIMITS.maxChars) return { commands: [], limit: 'structured_too_large' };
  if (jsonish) {
    const data = parseJson(body);
    if (data !== undefined) return walk(data.value);
  }
  return lineCommands(body);
}

function parseJson(body: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body) };
  } catch {
    // JSONC (editor and container settings): comments and trailing commas, outside strings.
    if (!body.includes('//') && !body.includes('/*') && !/,\s*[}\]]/.test(body)) return undefined;
    try {
      return { value: JSON.parse(stripJsonc(body)) };
    } catch {
      return undefined;
    }
  }
}

function stripJsonc(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      out += body.slice(i, j + 1);
      i = j;
    } else if (c === '/' && body[i + 1] === '/') {
      while (i < body.length && body[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && body[i + 1] === '*') {
      const end = body.indexOf('*/', i + 2);
      i = end < 0 ? body.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function walk(root: unknown): DataReading {
  type Entry = { value: unknown; key: string; inside: boolean; depth: number };
  const commands: DataCommand[] = [];
  const stack: Entry[] = [{ value: root, key: '', inside: false, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, key, inside, depth } = stack.pop() as Entry;
    if (++nodes > STRUCTURED_LIMITS.maxNodes) return { commands, limit: 'structured_too_many_nodes' };
    if (depth > STRUCTURED_LIMITS.maxDepth) return { commands, limit: 'structured_too_deep' };
    const isCommand = inside || COMMAND_KEY.test(key);
    if (typeof value === 'string') {
      if (isCommand && value.trim() !== '') commands.push({ key, text: value });
    } else if (Array.isArray(value)) {
      // A list under a command key is a list of command lines, or one argv (`["sh", "-c", "…"]`).
      const strings = value.filter((v): v is string => typeof v === 'string');
      if (isCommand && strings.length > 1 && strings.length === value.length)
        commands.push({ key, text: strings.map(quoteArg).join(' ') });
      for (const v of value) stack.push({ value: v, key, inside, depth: depth + 1 });
    } else if (typeof value === 'object' && value !== null) {
      const within = inside || COMMAND_CONTAINER.test(key);
      for (const [k, v] of Object.entries(value))
        stack.push({ value: v, key: k, inside: within, depth: depth + 1 });
    }
    if (commands.length > STRUCTURED_LIMITS.maxCommands)
      return { commands, limit: 'structured_too_many_commands' };
  }
  return { commands };
}

// `key: value`, `- key: value` (YAML) and `key = value` (TOML); `[a.b.tasks]` opens a TOML table.
const YAML_LINE = /^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*)\s*:(?:\s+(.*))?$/;
const TOML_LINE = /^\s*([A-Za-z_][\w.-]*|"[^"]*")\s*=\s*(.*)$/;
const TOML_TABLE = /^\s*\[\[?\s*([\w.-]+)\s*\]\]?\s*$/;
const BLOCK = /^[|>][-+0-9]*$/;

function unquote(v: string): string {
  const s = v.trim();
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.endsWith(s[0] as string)) {
    const inner = s.slice(1, -1);
    return s[0] === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner.replace(/''/g, "'");
  }
  return s.replace(/\s+#.*$/, '');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** YAML- and TOML-like text, read line by line: command keys, blocks under them, task tables. */
function lineCommands(body: string): DataReading {
  const lines = body.split('\n');
  const firstLine = lines.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))?.trim() ?? '';
  // Only text that starts like a data file is read so: prose with a `Run:` line is not.
  if (!/^(?:---|[A-Za-z_][\w.-]*\s*[:=]|\[\[?[\w.-]+\]\]?$)/.test(firstLine)) return NONE;
  const commands: DataCommand[] = [];
  let table = false;
  let container = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const t = TOML_TABLE.exec(line);
    if (t !== null) {
      table = COMMAND_CONTAINER.test((t[1] as string).split('.').pop() ?? '');
      continue;
    }
    const indent = indentOf(line);
    if (container >= 0 && indent <= container) container = -1;
    const y = YAML_LINE.exec(line);
    const m = y ?? TOML_LINE.exec(line);
    if (m === null) {
      // A list item inside a container of commands (`script:` then `- make test`).
      const item = /^\s*-\s+(.+)$/.exec(line);
      if (item !== null && container >= 0) commands.push({ key: '', text: unquote(item[1] as string) });
      continue;
    }
    const key = (y === null ? m[1] : m[2])?.replace(/^"|"$/g, '') ?? '';
    const value = (y === null ? m[2] : m[3])?.trim() ?? '';
    const isCommand = container >= 0 || table || COMMAND_KEY.test(key);
    if (value === '') {
      if (COMMAND_KEY.test(key) || COMMAND_CONTAINER.test(key)) container = indent;
      continue;
    }
    if (!isCommand) continue;
    if (BLOCK.test(value)) {
      const block: string[] = [];
      while (
        i + 1 < lines.length &&
        ((lines[i + 1] as string).trim() === '' || indentOf(lines[i + 1] as string) > indent)
      )
        block.push((lines[++i] as string).trim());
      commands.push({ key, text: block.join(value.startsWith('>') ? ' ' : '\n') });
    } else if (value.startsWith('[')) {
      const list = parseJson(value.replace(/'/g, '"'));
      const items = Array.isArray(list?.value)
        ? list.value.filter((v): v is string => typeof v === 'string')
        : [];
      if (items.length === 0) commands.push({ key, text: value });
      else
        commands.push({ key, text: items.map(quoteArg).join(' ') }, ...items.map((text) => ({ key, text })));
    } else commands.push({ key, text: unquote(value) });
    if (commands.length > STRUCTURED_LIMITS.maxCommands)
      return { commands, limit: 'structured_too_many_commands' };
  }
  return { commands };
}

/** The scan text of a command found in data at argument `path`: read with the `command` role. */
export function dataCommandText(c: DataCommand, path: string, via: readonly string[]): ScanText {
  const n = normalize(c.text);
  const text = n.text;
  return {
    text,
    lower: text.toLowerCase(),
    role: 'command',
    key: c.key.toLowerCase(),
    path,
    via,
    whole: false,
    flags: profileText(text),
  };
}
