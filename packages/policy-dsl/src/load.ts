import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { ErrorCode, GovernedError } from '@governed-mcp/core';
import type { PolicyDocument, Span } from './ast.js';
import { type CompiledPolicy, compilePolicy } from './compile.js';
import { defaultPolicy } from './default-constitution.js';
import {
  diagnostic,
  formatDiagnostic,
  type PolicyDiagnostic,
  PolicyErrorCode,
  sortDiagnostics,
} from './diagnostics.js';
import { parseDocument } from './parser.js';
import { err, type Result } from './result.js';

/** Most files one policy may pull in through includes. */
const MAX_FILES = 256;

/**
 * The one way to load the policy a gate enforces: the file at `path` with everything it includes, or
 * the default constitution when no path is given. Its settings (`policy.settings`, or with a config's
 * overrides `gateSettingsOf(policy, overrides)`) go with it to every layer. Throws
 * GovernedError('invalid_config') whose message is `invalid policy PATH:` followed by every error,
 * each with its file, line and caret excerpt.
 * @example
 * const policy = await loadPolicy('governed.policy');
 * const layers = [createTierLayer(policy.settings), createPolicyLayer(policy)];
 */
export async function loadPolicy(path?: string): Promise<CompiledPolicy> {
  if (path === undefined) return defaultPolicy();
  const r = await loadPolicyFile(path);
  if (r.ok) return r.value;
  const errors = r.error.filter((d) => d.severity === 'error');
  const shown = (errors.length > 0 ? errors : r.error).map(formatDiagnostic).join('\n');
  throw new GovernedError(ErrorCode.InvalidConfig, `invalid policy ${path}:\n${shown}`);
}

/**
 * Reads, parses and compiles a policy file and every file it includes (paths relative to the
 * including file). Include cycles, missing files and all parse and type errors come back as
 * diagnostics; nothing is thrown for a bad policy.
 * @example
 * const r = await loadPolicyFile('governed.policy');
 * if (!r.ok) for (const d of r.error) console.error(formatDiagnostic(d));
 */
export async function loadPolicyFile(path: string): Promise<Result<CompiledPolicy, PolicyDiagnostic[]>> {
  const docs = new Map<string, PolicyDocument>();
  const diagnostics: PolicyDiagnostic[] = [];
  const display = (abs: string): string => {
    const rel = relative(process.cwd(), abs);
    return rel.startsWith('..') ? abs : rel;
  };

  const load = async (
    abs: string,
    shown: string,
    stack: readonly string[],
    from?: { doc: PolicyDocument; span: Span },
  ): Promise<void> => {
    if (stack.includes(abs)) {
      if (from !== undefined) {
        const chain = [...stack.slice(stack.indexOf(abs)), abs].map(display).join(' -> ');
        diagnostics.push(
          diagnostic(
            from.doc.file,
            from.doc.source,
            from.span,
            PolicyErrorCode.IncludeCycle,
            `include cycle: ${chain}`,
          ),
        );
      }
      return;
    }
    if (docs.has(abs)) return;
    if (docs.size >= MAX_FILES) {
      if (from !== undefined) {
        diagnostics.push(
          diagnostic(
            from.doc.file,
            from.doc.source,
            from.span,
            PolicyErrorCode.IncludeNotFound,
            `a policy may include at most ${MAX_FILES} files`,
          ),
        );
      }
      return;
    }
    let source: string;
    try {
      source = await readFile(abs, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? String(e);
      if (from === undefined) {
        diagnostics.push({
          file: shown,
          line: 1,
          col: 1,
          severity: 'error',
          code: PolicyErrorCode.Io,
          message: `cannot read the policy file (${why})`,
          excerpt: '',
        });
      } else {
        diagnostics.push(
          diagnostic(
            from.doc.file,
            from.doc.source,
            from.span,
            PolicyErrorCode.IncludeNotFound,
            `cannot read included file ${display(abs)} (${why})`,
          ),
        );
      }
      return;
    }
    const parsed = parseDocument(source, shown);
    diagnostics.push(...parsed.errors);
    const document = parsed.document;
    docs.set(abs, document);
    for (const st of document.statements) {
      if (st.kind !== 'include') continue;
      const target = resolve(dirname(abs), st.path);
      await load(target, display(target), [...stack, abs], { doc: document, span: st.span });
    }
  };

  const root = resolve(path);
  await load(root, path, []);
  const byDoc = new Map([...docs].map(([abs, doc]) => [doc, abs]));
  const rootDoc = docs.get(root);
  const compiled =
    rootDoc === undefined
      ? undefined
      : compilePolicy(rootDoc, {
          resolveInclude: (from, p) => docs.get(resolve(dirname(byDoc.get(from)!), p)),
        });
  if (diagnostics.length === 0 && compiled !== undefined) return compiled;
  // Syntax errors (or unreadable files) fail the load. The statements that did parse were still
  // compiled, so that their type errors show in the same run; only errors that a missing statement
  // cannot have caused are kept (no 'unknown tier' for a tier block that failed to parse).
  const more =
    compiled === undefined || compiled.ok ? [] : compiled.error.filter((d) => SELF_CONTAINED.has(d.code));
  return err(sortDiagnostics([...diagnostics, ...more]));
}

const SELF_CONTAINED: ReadonlySet<string> = new Set([
  PolicyErrorCode.TypeMismatch,
  PolicyErrorCode.InvalidRegex,
  PolicyErrorCode.InvalidGlob,
  PolicyErrorCode.OutOfRange,
]);
