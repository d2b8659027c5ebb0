import type { DefaultPrincipalStatement, Effect, PolicyDocument, Span, TierBlock, ToolBlock } from './ast.js';
import { diagnostic, type PolicyDiagnostic, PolicyErrorCode } from './diagnostics.js';
import type { PlacedRule } from './reachability.js';
import type { Located, Reporter } from './settings-compile.js';

/** Returns the parsed document an `include` names, or undefined when it was not loaded. */
export type IncludeResolver = (from: PolicyDocument, path: string) => PolicyDocument | undefined;

/** The file-level `default` line and where it was written. */
export interface DefaultEffect {
  readonly effect: Effect;
  readonly span: Span;
  readonly doc: PolicyDocument;
}

/** Every statement of a policy's files, sorted by kind, in include order. */
export interface GatheredStatements {
  /** The documents read, root first, each once. */
  readonly visited: readonly PolicyDocument[];
  readonly tiers: readonly Located<TierBlock>[];
  readonly tools: readonly Located<ToolBlock>[];
  readonly rules: readonly PlacedRule[];
  readonly principles: readonly string[];
  readonly principal: Located<DefaultPrincipalStatement> | undefined;
  readonly effect: DefaultEffect | undefined;
}

/** Makes, per document, a reporter that adds to `diagnostics` (unreachable rules are warnings). */
export function reporterInto(diagnostics: PolicyDiagnostic[]): (doc: PolicyDocument) => Reporter {
  return (doc) => (span, code, message, severity) =>
    diagnostics.push(
      diagnostic(
        doc.file,
        doc.source,
        span,
        code,
        message,
        severity ?? (code === PolicyErrorCode.UnreachableRule ? 'warning' : 'error'),
      ),
    );
}

/**
 * Phase 1 of compiling: walks the roots and their includes (each document once, in place) and sorts
 * the statements by kind. Unresolved includes, include cycles and duplicate `default` lines are
 * reported through `reporterOf`.
 */
export function gatherStatements(
  roots: readonly PolicyDocument[],
  resolveInclude: IncludeResolver | undefined,
  reporterOf: (doc: PolicyDocument) => Reporter,
): GatheredStatements {
  const visited: PolicyDocument[] = [];
  const tiers: Located<TierBlock>[] = [];
  const tools: Located<ToolBlock>[] = [];
  const rules: PlacedRule[] = [];
  const principles: string[] = [];
  let principal: Located<DefaultPrincipalStatement> | undefined;
  let effect: DefaultEffect | undefined;

  const visit = (doc: PolicyDocument, stack: readonly PolicyDocument[]): void => {
    visited.push(doc);
    const report = reporterOf(doc);
    for (const st of doc.statements) {
      switch (st.kind) {
        case 'include': {
          const target = resolveInclude?.(doc, st.path);
          if (target === undefined) {
            report(
              st.span,
              PolicyErrorCode.IncludeUnresolved,
              `cannot include "${st.path}" here: load the policy with loadPolicyFile`,
            );
          } else if (stack.includes(target)) {
            report(
              st.span,
              PolicyErrorCode.IncludeCycle,
              `"${st.path}" includes itself through ${[...stack, target].map((d) => d.file).join(' -> ')}`,
            );
          } else if (!visited.includes(target)) visit(target, [...stack, target]);
          break;
        }
        case 'default':
          if (effect !== undefined)
            report(
              st.span,
              PolicyErrorCode.Duplicate,
              `a second 'default' (the first is at ${effect.doc.file}:${effect.span.line})`,
            );
          else effect = { effect: st.effect, span: st.span, doc };
          break;
        case 'default-principal':
          if (principal !== undefined)
            report(st.span, PolicyErrorCode.Duplicate, `a second 'default principal'`);
          else principal = { node: st, report };
          break;
        case 'principle':
          principles.push(st.text);
          break;
        case 'tier':
          tiers.push({ node: st, report });
          break;
        case 'tool':
          tools.push({ node: st, report });
          break;
        case 'rule':
          rules.push({ node: st, report, where: `${doc.file}:${st.span.line}` });
          break;
      }
    }
  };
  for (const root of roots) if (!visited.includes(root)) visit(root, [root]);
  return { visited, tiers, tools, rules, principles, principal, effect };
}
