import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { PolicyDocument, Span } from './ast.js';
import { type CompiledPolicy, compilePolicy } from './compile.js';
import { diagnostic, type PolicyDiagnostic, PolicyErrorCode } from './diagnostics.js';
import { parsePolicy } from './parser.js';
import { err, type Result } from './result.js';

/** Most files one policy may pull in through includes. */
const MAX_FILES = 256;

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
    const parsed = parsePolicy(source, shown);
    if (!parsed.ok) {
      diagnostics.push(...parsed.error);
      return;
    }
    docs.set(abs, parsed.value);
    for (const st of parsed.value.statements) {
      if (st.kind !== 'include') continue;
      const target = resolve(dirname(abs), st.path);
      await load(target, display(target), [...stack, abs], { doc: parsed.value, span: st.span });
    }
  };

  const root = resolve(path);
  await load(root, path, []);
  if (diagnostics.length > 0) return err(diagnostics);
  const byDoc = new Map([...docs].map(([abs, doc]) => [doc, abs]));
  return compilePolicy(docs.get(root)!, {
    resolveInclude: (from, p) => docs.get(resolve(dirname(byDoc.get(from)!), p)),
  });
}
