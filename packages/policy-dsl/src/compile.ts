import type { GateSettings, PathFact, ToolCall } from '@governed-mcp/core';
import type {
  DefaultPrincipalStatement,
  Effect,
  PolicyDocument,
  RuleStatement,
  Span,
  TierBlock,
  ToolBlock,
} from './ast.js';
import { CallView, UnreadableArgumentsError } from './call-view.js';
import { diagnostic, type PolicyDiagnostic, PolicyErrorCode, sortDiagnostics } from './diagnostics.js';
import { hashSources } from './policy-hash.js';
import { type CallTest, compileCondition } from './predicate.js';
import { type PlacedRule, reportUnreachable } from './reachability.js';
import { err, ok, type Result } from './result.js';
import { firstMatch, type IndexedRule, indexByTool, requiredTools } from './rule-index.js';
import { compileSettings, type Located, type Reporter, tierNames } from './settings-compile.js';

/** A rule as compiled, with where it was written. */
export interface CompiledRule {
  readonly name: string;
  readonly effect: Effect;
  readonly reason: string;
  readonly file: string;
  readonly line: number;
}

/** Which rule decided a call. `default` means no rule matched and the file-level default applies. */
export interface PolicyMatch {
  readonly decision: 'allow' | 'deny' | 'default';
  readonly rule?: string;
  readonly reason?: string;
  /** Set when the call could not be matched at all (e.g. cyclic arguments): the decision is deny. */
  readonly failure?: true;
}

/** A policy compiled to closures: matching a call never looks at the source again. */
export interface CompiledPolicy {
  /** Blake3 (hex) of the canonical source set: every file's text, in include order. */
  readonly hash: string;
  readonly settings: GateSettings;
  /** The `principle` sentences, in order, for the semantic gate's prompt. */
  readonly principles: readonly string[];
  readonly rules: readonly CompiledRule[];
  /** What decides when no rule matches. */
  readonly default: Effect;
  /** The files the policy was built from, root first. */
  readonly files: readonly string[];
  /** Problems that do not stop the policy from loading (unreachable rules). */
  readonly warnings: readonly PolicyDiagnostic[];
  /**
   * Matches a call. Precedence: any matching deny rule wins; otherwise the first matching allow rule;
   * otherwise `default`. Among rules of the same effect the first in file order is named.
   */
  match(call: ToolCall, paths?: PathFact): PolicyMatch;
  /**
   * Explains a call for people: the match, and every rule that matched it in policy order (the
   * ones that did not decide were overridden by precedence). Tries every rule; not for the hot path.
   */
  explain(call: ToolCall): { readonly match: PolicyMatch; readonly matched: readonly CompiledRule[] };
}

/** Options of `compilePolicy`. */
export interface CompileOptions {
  /** Returns the parsed document an `include` names, or undefined when it was not loaded. */
  readonly resolveInclude?: (from: PolicyDocument, path: string) => PolicyDocument | undefined;
}

interface Entry extends IndexedRule {
  readonly rule: CompiledRule;
}

/**
 * Compiles parsed documents (several are read as one file, in order) into a CompiledPolicy, or
 * returns every diagnostic. Warnings alone do not fail a compile; they are kept on the policy.
 * @example
 * const doc = parsePolicy(text, 'team.policy');
 * const policy = doc.ok ? compilePolicy(doc.value) : doc;
 */
export function compilePolicy(
  documents: PolicyDocument | readonly PolicyDocument[],
  options: CompileOptions = {},
): Result<CompiledPolicy, PolicyDiagnostic[]> {
  const roots =
    'statements' in documents ? [documents as PolicyDocument] : (documents as readonly PolicyDocument[]);
  const diagnostics: PolicyDiagnostic[] = [];
  const reporter =
    (doc: PolicyDocument): Reporter =>
    (span, code, message, severity) =>
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
  const visited: PolicyDocument[] = [];
  const tiers: Located<TierBlock>[] = [];
  const tools: Located<ToolBlock>[] = [];
  const rules: PlacedRule[] = [];
  const principles: string[] = [];
  let principal: Located<DefaultPrincipalStatement> | undefined;
  let effect: { effect: Effect; span: Span; doc: PolicyDocument } | undefined;

  const visit = (doc: PolicyDocument, stack: readonly PolicyDocument[]): void => {
    visited.push(doc);
    const report = reporter(doc);
    for (const st of doc.statements) {
      switch (st.kind) {
        case 'include': {
          const target = options.resolveInclude?.(doc, st.path);
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

  const first = roots[0];
  const fallback: Reporter = first === undefined ? () => undefined : reporter(first);
  if (effect === undefined) {
    fallback(
      { line: 1, col: 1, length: 1 },
      PolicyErrorCode.Missing,
      `the policy has no 'default allow' or 'default deny' line`,
    );
  }
  const settings = compileSettings(tiers, tools, principal, fallback);
  const names = tierNames(tiers);
  const denies: Entry[] = [];
  const allows: Entry[] = [];
  const seenNames = new Map<string, PlacedRule>();
  for (const [index, placed] of rules.entries()) {
    const r: RuleStatement = placed.node;
    const twin = seenNames.get(r.name);
    if (twin !== undefined)
      placed.report(
        r.span,
        PolicyErrorCode.Duplicate,
        `rule '${r.name}' is already defined at ${twin.where}`,
      );
    seenNames.set(r.name, placed);
    const ctx = { tiers: names, report: placed.report };
    const test: CallTest =
      r.when === undefined ? () => true : compileCondition(r.when, r.effect === 'deny', ctx);
    const file = placed.where.slice(0, placed.where.lastIndexOf(':'));
    const rule: CompiledRule = { name: r.name, effect: r.effect, reason: r.reason, file, line: r.span.line };
    (r.effect === 'deny' ? denies : allows).push({ index, rule, test, tools: requiredTools(r.when) });
  }
  reportUnreachable(rules, names);
  const sorted = sortDiagnostics(diagnostics);
  if (sorted.some((d) => d.severity === 'error') || settings === undefined || effect === undefined)
    return err(sorted);

  const fallbackEffect = effect.effect;
  const denySet = indexByTool(denies);
  const allowSet = indexByTool(allows);
  // `paths`: the path layer's fact, so rules see where the call's paths resolve on disk.
  const match = (call: ToolCall, paths?: PathFact): PolicyMatch => {
    const view = new CallView(call, paths);
    try {
      const d = firstMatch(denySet, view);
      if (d !== undefined) return { decision: 'deny', rule: d.rule.name, reason: d.rule.reason };
      const a = firstMatch(allowSet, view);
      if (a !== undefined) return { decision: 'allow', rule: a.rule.name, reason: a.rule.reason };
    } catch (e) {
      const why = e instanceof UnreadableArgumentsError ? e.message : `matching failed: ${String(e)}`;
      return { decision: 'deny', reason: why, failure: true };
    }
    return { decision: 'default', reason: `no rule matched; the policy's default is ${fallbackEffect}` };
  };
  const ordered = [...denies, ...allows].sort((a, b) => a.index - b.index);
  const explain = (call: ToolCall) => {
    const result = match(call);
    if (result.failure === true) return { match: result, matched: [] };
    const view = new CallView(call);
    return { match: result, matched: ordered.filter((e) => e.test(view)).map((e) => e.rule) };
  };
  return ok(
    Object.freeze({
      hash: hashSources(visited.map((d) => d.source)),
      settings,
      principles: Object.freeze(principles),
      rules: Object.freeze(ordered.map((e) => e.rule)),
      default: fallbackEffect,
      files: Object.freeze(visited.map((d) => d.file)),
      warnings: Object.freeze(sorted),
      match,
      explain,
    }),
  );
}
