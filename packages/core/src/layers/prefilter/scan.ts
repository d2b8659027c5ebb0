import type { ToolDefinition } from '../../call.js';
import { toolNameWords } from '../../names/tool-name.js';
import { classifyPath } from '../../paths/classify.js';
import { decodeOnce } from './decode.js';
import type { CallFacts, Detector, Finding, ScanText, TextRole } from './detector.js';
import {
  credentialDetector,
  injectionDetector,
  sensitivePathDetector,
  traversalDetector,
} from './detectors-data.js';
import { persistenceDetector, privilegeDetector } from './detectors-host.js';
import { destructiveDetector, fetchExecDetector, reverseShellDetector } from './detectors-shell.js';
import { schemeDetector, ssrfDetector } from './network.js';
import { normalize } from './normalize.js';
import { planOf, SHORT_TEXT } from './scan-plan.js';
import { forgetShellAnalysis } from './shell/analyze.js';
import { sqlDetector } from './sql/sql-detector.js';
import { resetSqlParseBudget } from './sql/sql-parse.js';
import { dataCommandText, structuredCommands } from './structured-commands.js';
import { profileText, TextFlag } from './text-profile.js';
import { forgetWordGates } from './word-gates.js';

/** The built-in detectors, in the order they run. `hidden-text` is reported by normalisation itself. */
export const DEFAULT_DETECTORS: readonly Detector[] = Object.freeze([
  fetchExecDetector,
  reverseShellDetector,
  destructiveDetector,
  persistenceDetector,
  privilegeDetector,
  credentialDetector,
  sensitivePathDetector,
  traversalDetector,
  ssrfDetector,
  schemeDetector,
  injectionDetector,
  sqlDetector,
]);

/** The pseudo-detector of a scan that stopped at a bound; its findings always block. */
export const SCAN_LIMIT = 'scan-limit';

/** Every built-in detector id, `hidden-text` included. */
export const DETECTOR_IDS: readonly string[] = Object.freeze([
  ...DEFAULT_DETECTORS.map((d) => d.id),
  'hidden-text',
]);

/** Bounds on the work one call may cause. */
export interface ScanLimits {
  /** Nested decodings followed (base64 of hex of …). Default 3. */
  readonly maxDecodeDepth: number;
  /** Characters of decoded text scanned per call, in all. Default 262,144. */
  readonly maxDecodedChars: number;
  /** Findings kept per call. Default 32. */
  readonly maxFindings: number;
}

/** Default scan limits. */
export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({
  maxDecodeDepth: 3,
  maxDecodedChars: 256 * 1024,
  maxFindings: 32,
});

const COMMAND_KEYS =
  /^(?:command|commands|cmd|cmdline|command_?line|script|shell|exec|run|code|args?|argv|line|program|entrypoint|payload|input)$/;
const SHELL_TOOL = /shell|bash|terminal|command|cmd|exec|powershell|run_?script|spawn|ssh/;
// Shell, query and reader tools are told by their canonical name (`ExecuteCommand` is
// `executecommand`, as `execute_command` is) and, where a short word decides, by its words.
const SQL_TOOL = /sql|query|database|postgres|mysql|sqlite|mongo|snowflake|bigquery|redshift|clickhouse/;
const SQL_WORDS: ReadonlySet<string> = new Set(['db']);
const READER_WORDS: ReadonlySet<string> = new Set(
  'read get list search view show stat find fetch describe head tail cat ls query lookup check'.split(' '),
);

const facts = new WeakMap<ToolDefinition, CallFacts & { shell: boolean }>();

/** What the detectors need to know about a tool, computed once per definition. */
export function callFacts(tool: ToolDefinition): CallFacts & { shell: boolean } {
  let f = facts.get(tool);
  if (f === undefined) {
    const words = toolNameWords(tool.name);
    const name = words.join('');
    const a = tool.annotations;
    // The mediator's definition for a `resources/read` request is named by the method itself: it reads.
    const resourceRead = tool.name === 'resources/read';
    f = {
      tool: name,
      outward: a?.openWorldHint !== false,
      writes: !resourceRead && a?.readOnlyHint !== true && !READER_WORDS.has(words[0] ?? ''),
      sqlTool: SQL_TOOL.test(name) || words.some((w) => SQL_WORDS.has(w)),
      resourceRead,
      shell: SHELL_TOOL.test(name),
    };
    facts.set(tool, f);
  }
  return f;
}

// Keys that carry prose or file content: long or multi-line text under them may merely *mention*
// commands. Under any other key, long text gets the same scrutiny as a short value.
const PROSE_KEYS =
  /(?:^|_)(?:content|contents|body|text|message|description|markdown|md|html|note|notes|comment|summary|readme|doc|document|prompt|query|title|string|patch|diff|answer|reply|caption)s?$/;

// Files whose content is itself run: shell scripts, rc files, Makefiles, CI workflows. Content written
// to them is read as a command, however long.
const SCRIPT_PATH =
  /\.(?:sh|bash|zsh|ksh|command|bashrc|zshrc|profile|bash_profile|zprofile|zshenv|bash_login)$|(?:^|\/)(?:makefile|gnumakefile|dockerfile|justfile|\.envrc)$|(?:^|\/)\.github\/workflows\/|(?:^|\/)\.gitlab-ci\.ya?ml$|(?:^|\/)\.git\/hooks\/|(?:^|\/)\.husky\//i;
const PATH_KEYS =
  /^(?:path|file|file_?path|filename|file_?name|target|target_?path|destination|dest|to|output|uri)$/;

/** True when an argument object names a file whose content is run (`{ path: 'x.sh', content }`). */
function writesScript(value: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' || !PATH_KEYS.test(k.toLowerCase()) || v.length > 1024) continue;
    if (SCRIPT_PATH.test(v.trim()) || classifyPath(v.trim())?.classes.includes('code-loading') === true)
      return true;
  }
  return false;
}

function roleOf(text: string, key: string, shellTool: boolean, script: boolean): TextRole {
  // Surrounding whitespace decides nothing: a trailing newline must not turn a command into prose.
  const body = text.trim();
  if (shellTool || script || COMMAND_KEYS.test(key) || body.startsWith('#!')) return 'command';
  return (body.length > 512 || body.includes('\n')) && PROSE_KEYS.test(key) ? 'document' : 'value';
}

// Keys made of letters only (camelCase, snake_case) carry no command, path, URL or token: skipped.
const PLAIN_KEY = /^[A-Za-z]+(?:[_-][A-Za-z]+)*$/;

function escapePointer(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/** Scans every string (and long key) of `args`; returns the findings, first per detector and path. */
export function scanArguments(
  args: unknown,
  tool: ToolDefinition,
  detectors: readonly Detector[] = DEFAULT_DETECTORS,
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
): Finding[] {
  forgetWordGates();
  forgetShellAnalysis();
  resetSqlParseBudget();
  try {
    return scanWalk(args, tool, detectors, limits);
  } finally {
    forgetWordGates();
    forgetShellAnalysis();
  }
}

function scanWalk(
  args: unknown,
  tool: ToolDefinition,
  detectors: readonly Detector[],
  limits: ScanLimits,
): Finding[] {
  const call = callFacts(tool);
  const out: Finding[] = [];
  let budget = limits.maxDecodedChars;
  let stopped = false;
  // Past a bound the scan stops; what it did not read cannot be vouched for, so the stop is a
  // finding that always blocks (an attacker must not hide a payload behind padding).
  const stop = (code: string, path: string, detail: string): void => {
    if (stopped) return;
    stopped = true;
    out.push({ detector: SCAN_LIMIT, code, path, span: [0, 0], match: detail, via: [] });
  };

  const plan = planOf(detectors);
  const run = (t: ScanText, disguises: readonly string[]): void => {
    const before = out.length;
    const list = (t.text.length < SHORT_TEXT ? plan.short : plan.full)[t.role];
    for (const d of list.detectors) {
      if (out.length >= limits.maxFindings) {
        stop('too_many_findings', t.path, `more than ${limits.maxFindings} findings`);
        return;
      }
      // A record-only finding settles nothing: the detector still reads the other views of the text.
      if (
        out.length > 0 &&
        out.some((f) => f.detector === d.id && f.path === t.path && f.recordOnly !== true)
      )
        continue;
      d.scan(t, call, out);
    }
    // The bound is checked before every detector in the list's order, whatever its roles.
    if (list.trailing && out.length >= limits.maxFindings) {
      stop('too_many_findings', t.path, `more than ${limits.maxFindings} findings`);
      return;
    }
    if (disguises.length > 0) {
      for (let i = before; i < out.length; i++) out[i] = { ...(out[i] as Finding), disguises };
    }
  };

  const scanString = (raw: string, key: string, path: string, script = false): void => {
    const rawFlags = profileText(raw);
    const plain = (rawFlags & TextFlag.NonPlain) === 0;
    const norm = normalize(raw, plain);
    const flags = plain ? rawFlags : profileText(norm.text);
    const role = roleOf(norm.text, key, call.shell, script);
    if (norm.hidden !== undefined) {
      out.push({
        detector: 'hidden-text',
        code: 'unicode_tags',
        path,
        span: [0, raw.length],
        match: norm.hidden.slice(0, 120),
        via: ['tags'],
      });
    } else if (norm.disguises.includes('bidi')) {
      out.push({
        detector: 'hidden-text',
        code: 'bidi_control',
        path,
        span: [0, raw.length],
        match: norm.text.slice(0, 120),
        via: [],
      });
    }
    const lower = flags & TextFlag.Upper || !plain ? norm.text.toLowerCase() : norm.text;
    run({ text: norm.text, lower, role, key, path, via: [], whole: true, flags }, norm.disguises);
    // Content that is structured data: strings its keys make commands are read as commands.
    const dataCommands = (text: string, via: readonly string[]): void => {
      const data = call.shell || stopped ? undefined : structuredCommands(text);
      if (data?.limit !== undefined) stop(data.limit, path, 'structured content past its bounds');
      else for (const c of data?.commands ?? []) run(dataCommandText(c, path, via), norm.disguises);
    };
    dataCommands(norm.text, []);
    const queue: { text: string; via: readonly string[]; flags: number }[] = [
      { text: norm.text, via: [], flags },
    ];
    const decodedView = (text: string, via: readonly string[]): void => {
      const n = normalize(text);
      const f = profileText(n.text);
      run(
        {
          text: n.text,
          lower: n.text.toLowerCase(),
          role: 'decoded',
          key,
          path,
          via,
          whole: false,
          flags: f,
        },
        norm.disguises,
      );
      dataCommands(n.text, via);
      queue.push({ text: n.text, via, flags: f });
    };
    if (norm.hidden !== undefined) decodedView(norm.hidden, ['tags']);
    for (let q = queue.shift(); q !== undefined && !stopped; q = queue.shift()) {
      // Shell splicing is resolved once: a self-referencing variable (PATH=x:$PATH) would grow forever.
      const afterShell = q.via[q.via.length - 1] === 'shell';
      const decoded = decodeOnce(q.text, q.flags).filter(
        (d) => d.text !== q.text && !(afterShell && d.via === 'shell'),
      );
      if (decoded.length === 0) continue;
      if (q.via.length >= limits.maxDecodeDepth && decoded.some((d) => d.via !== 'shell')) {
        // Encoded deeper than the limit: nobody nests encodings that deep by accident.
        const via = [...q.via, decoded[0]?.via ?? ''];
        out.push({
          detector: 'hidden-text',
          code: 'nested_encoding',
          path,
          span: [0, 0],
          match: via.join(' > '),
          via,
        });
        continue;
      }
      if (q.via.length >= limits.maxDecodeDepth) continue;
      for (const d of decoded) {
        if (d.text.length > budget) {
          stop('decode_budget', path, `more than ${limits.maxDecodedChars} decoded characters`);
          return;
        }
        budget -= d.text.length;
        decodedView(d.text, [...q.via, d.via]);
      }
    }
  };

  // Iterative walk: hostile nesting cannot exhaust the stack (the schema layer bounds it too).
  type Entry = { value: unknown; key: string; path: string; script?: boolean };
  const stack: Entry[] = [{ value: args, key: '', path: '' }];
  let visited = 0;
  while (stack.length > 0 && !stopped) {
    if (visited++ >= 100_000) {
      stop('too_many_values', '', 'more than 100000 values');
      break;
    }
    const { value, key, path, script } = stack.pop() as Entry;
    if (typeof value === 'string') {
      scanString(value, key, path, script === true && PROSE_KEYS.test(key));
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key, path: `${path}/${i}` });
    } else if (typeof value === 'object' && value !== null) {
      const names = Object.keys(value);
      const script = writesScript(value as Record<string, unknown>);
      for (let i = names.length - 1; i >= 0; i--) {
        const name = names[i] as string;
        const childPath = `${path}/${escapePointer(name)}`;
        if (name.length >= 8 && !PLAIN_KEY.test(name)) scanString(name, '', `${childPath}#key`);
        stack.push({
          value: (value as Record<string, unknown>)[name],
          key: name.toLowerCase(),
          path: childPath,
          script,
        });
      }
    }
  }
  return out;
}
