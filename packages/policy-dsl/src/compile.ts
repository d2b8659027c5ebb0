import type { GateSettings, PathFact, ToolCall } from '@governed-mcp/core';
import type { Effect, PolicyDocument, RuleEffect } from './ast.js';
import { CallView, UnreadableArgumentsError } from './call-view.js';
import {
  type GatheredStatements,
  gatherStatements,
  type IncludeResolver,
  reporterInto,
} from './compile-gather.js';
import { type PolicyDiagnostic, PolicyErrorCode, sortDiagnostics } from './diagnostics.js';
import { hashSources } from './policy-hash.js';
import { type CallTest, compileCondition } from './predicate.js';
import { type PlacedRule, reportUnreachable } from './reachability.js';
import { err, ok, type Result } from './result.js';
import { firstMatch, type IndexedRule, indexByTool, requiredTools } from './rule-index.js';
import { UnreadableFactsError } from './session-view.js';
import { compileSettings, type Reporter, tierNames } from './settings-compile.js';

/** A rule as compiled, with where it was written. */
export interface CompiledRule {
  readonly name: string;
  readonly effect: RuleEffect;
  readonly reason: string;
  /** What a person is asked when this ask rule decides (its reason when the rule sets none). */
  readonly question?: string;
  readonly file: string;
  readonly line: number;
}

/** Which rule decided a call. `default` means no rule matched and the file-level default applies. */
export interface PolicyMatch {
  readonly decision: RuleEffect | 'default';
  readonly rule?: string;
  readonly reason?: string;
  /** Set when an ask rule decided: what the person is asked. */
  readonly question?: string;
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
   * Matches a call. Precedence: any matching deny rule wins; otherwise the first matching ask rule;
   * otherwise the first matching allow rule; otherwise `default`. Among rules of the same effect the
   * first in file order is named. Evaluation errors deny (`failure`).
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
  readonly resolveInclude?: IncludeResolver;
  /**
   * @internal How regexes are pre-checked: `per-regex` (default) checks each regex's required literals
   * with one native scan before running it; `off` always runs the regex. Decisions are the same in both
   * modes; a differential test compares them.
   */
  readonly regexPrefilter?: 'per-regex' | 'off';
}

interface Entry extends IndexedRule {
  readonly rule: CompiledRule;
}

/** Rules compiled to tests, split by effect; `index` keeps policy order across the three. */
interface CompiledRules {
  readonly denies: readonly Entry[];
  readonly asks: readonly Entry[];
  readonly allows: readonly Entry[];
}

/**
 * Compiles parsed documents (several are read as one file, in order) into a CompiledPolicy, or
 * returns every diagnostic. Warnings alone do not fail a compile; they are kept on the policy.
 * Three phases: gather the statements of every file, compile settings and rules, build the matcher.
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
  const reporterOf = reporterInto(diagnostics);
  const gathered = gatherStatements(roots, options.resolveInclude, reporterOf);

  const first = roots[0];
  // Problems of the policy as a whole are reported at the top of the first file.
  const fallback: Reporter = first === undefined ? () => undefined : reporterOf(first);
  if (gathered.effect === undefined) {
    fallback(
      { line: 1, col: 1, length: 1 },
      PolicyErrorCode.Missing,
      `the policy has no 'default allow' or 'default deny' line`,
    );
  }
  const settings = compileSettings(gathered.tiers, gathered.tools, gathered.principal, fallback);
  const names = tierNames(gathered.tiers);
  const rules = compileRules(gathered.rules, names, options.regexPrefilter ?? 'per-regex');
  reportUnreachable(gathered.rules, names);

  const sorted = sortDiagnostics(diagnostics);
  if (sorted.some((d) => d.severity === 'error') || settings === undefined || gathered.effect === undefined)
    return err(sorted);
  return ok(buildPolicy(gathered, gathered.effect.effect, settings, rules, sorted));
}

/** Phase 2: compiles each rule's conditions to a test and reports rules whose name is taken. */
function compileRules(
  placedRules: readonly PlacedRule[],
  tiers: readonly string[],
  mode: 'per-regex' | 'off',
): CompiledRules {
  const byEffect: Record<RuleEffect, Entry[]> = { deny: [], ask: [], allow: [] };
  const seenNames = new Map<string, PlacedRule>();
  for (const [index, placed] of placedRules.entries()) {
    const r = placed.node;
    const twin = seenNames.get(r.name);
    if (twin !== undefined)
      placed.report(
        r.span,
        PolicyErrorCode.Duplicate,
        `rule '${r.name}' is already defined at ${twin.where}`,
      );
    seenNames.set(r.name, placed);
    const ctx =
      mode === 'off'
        ? { tiers, report: placed.report, prefilter: false as const }
        : { tiers, report: placed.report };
    // An ask stops a call like a deny does, so it reads array arguments the same way (see compileCondition).
    const test: CallTest =
      r.when === undefined ? () => true : compileCondition(r.when, r.effect !== 'allow', ctx);
    const file = placed.where.slice(0, placed.where.lastIndexOf(':'));
    const base: CompiledRule = { name: r.name, effect: r.effect, reason: r.reason, file, line: r.span.line };
    const rule: CompiledRule = r.effect === 'ask' ? { ...base, question: r.question ?? r.reason } : base;
    byEffect[r.effect].push({ index, rule, test, tools: requiredTools(r.when) });
  }
  return { denies: byEffect.deny, asks: byEffect.ask, allows: byEffect.allow };
}

/** Phase 3: builds the frozen policy, with `match` and `explain` over the rules indexed by tool. */
function buildPolicy(
  gathered: GatheredStatements,
  fallbackEffect: Effect,
  settings: GateSettings,
  { denies, asks, allows }: CompiledRules,
  warnings: readonly PolicyDiagnostic[],
): CompiledPolicy {
  const denySet = indexByTool(denies);
  const askSet = indexByTool(asks);
  const allowSet = indexByTool(allows);
  // `paths`: the path layer's fact, so rules see where the call's paths resolve on disk.
  const match = (call: ToolCall, paths?: PathFact): PolicyMatch => {
    const view = new CallView(call, paths);
    try {
      const d = firstMatch(denySet, view);
      if (d !== undefined) return { decision: 'deny', rule: d.rule.name, reason: d.rule.reason };
      const q = firstMatch(askSet, view);
      if (q !== undefined)
        return {
          decision: 'ask',
          rule: q.rule.name,
          reason: q.rule.reason,
          question: q.rule.question ?? q.rule.reason,
        };
      const a = firstMatch(allowSet, view);
      if (a !== undefined) return { decision: 'allow', rule: a.rule.name, reason: a.rule.reason };
    } catch (e) {
      const why =
        e instanceof UnreadableArgumentsError || e instanceof UnreadableFactsError
          ? e.message
          : `matching failed: ${String(e)}`;
      return { decision: 'deny', reason: why, failure: true };
    }
    return { decision: 'default', reason: `no rule matched; the policy's default is ${fallbackEffect}` };
  };
  const ordered = [...denies, ...asks, ...allows].sort((a, b) => a.index - b.index);
  const explain = (call: ToolCall) => {
    const result = match(call);
    if (result.failure === true) return { match: result, matched: [] };
    const view = new CallView(call);
    // A rule that cannot be evaluated did not match; the match above already denied if it mattered.
    const holds = (e: Entry): boolean => {
      try {
        return e.test(view);
      } catch {
        return false;
      }
    };
    return { match: result, matched: ordered.filter(holds).map((e) => e.rule) };
  };
  return Object.freeze({
    hash: hashSources(gathered.visited.map((d) => d.source)),
    settings,
    principles: Object.freeze([...gathered.principles]),
    rules: Object.freeze(ordered.map((e) => e.rule)),
    default: fallbackEffect,
    files: Object.freeze(gathered.visited.map((d) => d.file)),
    warnings: Object.freeze(warnings),
    match,
    explain,
  });
}
