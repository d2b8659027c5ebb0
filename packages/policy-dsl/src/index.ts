/**
 * `@governed-mcp/policy-dsl`: the constitution language and the constitutional ('policy') layer.
 *
 * A policy file is line-oriented. `#` starts a comment. Statements:
 *
 * ```text
 * default allow | deny                      # what decides when no rule matches (exactly one)
 * default principal "ID" tier NAME          # who an unauthenticated caller is
 * include "other.policy"                    # another file's statements, in place (relative path)
 * principle "A sentence for the semantic gate."
 *           "A quoted line below continues it."
 * tier NAME ... end                         # tiers, least trusted first; settings below
 * tool "GLOB" [server "NAME"] ... end       # per-tool settings; `require tier NAME` only here
 * allow|deny|ask NAME                       # a rule: a name, a reason, conditions
 *   when CONDITION                          # several when lines are ANDed
 *   unless CONDITION                        # unless C is when not C
 *   reason "Why, for people and the audit log."
 *   question "What a person is asked?"      # ask rules only; the reason when absent
 * end
 * ```
 *
 * Settings: `prefilter block all|none|DETECTOR, ...`, `probe on|off [alpha N] [threshold N]`,
 * `limit per-tool|per-principal N refill R/s|m|h`, `limit concurrent N`. They compile into the
 * gate's `GateSettings`; a policy without tier blocks keeps the core default tier table.
 *
 * Conditions: `and` binds tighter than `or`; `not` and parentheses as usual; a line that starts with
 * `and` or `or` continues the condition above. Subjects: `tool`, `server`, `principal`, `tier`,
 * `method`, `arg.NAME[.NAME...]` (arrays along the path are spread), `any string` (every string in
 * the arguments, keys included). Operators: `==`, `!=`, `in [...]`, `not in [...]`, `glob "P"` or
 * `glob [...]`, `matches /RE2/flags` (flags i, s, m), `contains`, `startswith`, `endswith`, `<`,
 * `<=`, `>`, `>=` (numbers; tiers by rank), `exists`, `missing`.
 *
 * Session subjects (facts the mediator gathered; a call without them reads 0, empty, false):
 * `tool.class` and `session.called` (capability classes, bare words: `tool.class == moves-money`,
 * `in [...]` for any), `session.flagged` and `session.step` (numbers), `origin.instructed`,
 * `origin.flagged`, `origin.sensitive` (true or false; written alone they mean `== true`),
 * `origin.kind` (value kinds) and `origin.tool` (source tool names). Malformed facts deny.
 *
 * Precedence: any matching deny rule wins; otherwise the first matching ask rule (the call proceeds
 * only if a person approves); otherwise the first matching allow rule; otherwise the default. Strings are NFKC-normalised with invisible format characters removed; argument globs see
 * paths with `.` and `..` collapsed. An array argument is read in the direction that blocks: a deny
 * fires when any element matches, an allow only when every element does. Regular expressions and
 * globs run on RE2 (linear time).
 *
 * @example
 * ```text
 * default allow
 * principle "Never send credentials anywhere."
 * tier standard
 *   probe on alpha 0.5 threshold 0.5
 *   limit per-tool 30 refill 5/s
 * end
 * tool "*payment*"
 *   require tier trusted
 * end
 * deny read-keys
 *   when any string glob "**\/.ssh/id_*"
 *   reason "Private keys never leave the machine."
 * end
 * allow readers
 *   when tool in ["read_file", "list_directory"] and arg.path glob "/srv/app/**"
 *   reason "Reading the application tree is routine."
 * end
 * ```
 * More in `test/fixtures/example.policy` and the default constitution (`governed-mcp policy default`).
 * @packageDocumentation
 */

// The glob engine is core's, shared with the tier table; re-exported so this API stays whole.
export type { GlobMode, GlobTest } from '@governed-mcp/core';
export { compileGlob } from '@governed-mcp/core';
export type {
  Condition,
  DefaultPrincipalStatement,
  DefaultStatement,
  Effect,
  FactName,
  IncludeStatement,
  Operator,
  PolicyDocument,
  Predicate,
  PrincipleStatement,
  RuleEffect,
  RuleStatement,
  Setting,
  Span,
  Statement,
  Subject,
  TierBlock,
  ToolBlock,
  Value,
} from './ast.js';
export { ARGUMENT_LIMITS } from './call-view.js';
export type { CompiledPolicy, CompiledRule, CompileOptions, PolicyMatch } from './compile.js';
export { compilePolicy } from './compile.js';
export { DEFAULT_CONSTITUTION, DEFAULT_CONSTITUTION_FILE, defaultPolicy } from './default-constitution.js';
export type { PolicyDiagnostic, Severity } from './diagnostics.js';
export { caretExcerpt, formatDiagnostic, PolicyErrorCode } from './diagnostics.js';
export type { SettingsOverrides } from './gate-settings.js';
export { gateSettingsOf } from './gate-settings.js';
export type { PolicyHolder } from './layer.js';
export { createPolicyLayer, DEFAULT_RULE, POLICY_LAYER, PolicyReasonCode } from './layer.js';
export { loadPolicy, loadPolicyFile } from './load.js';
export { normalizeText, pathForms } from './normalize.js';
export { parsePolicy } from './parser.js';
export { MAX_REGEX_PROGRAM } from './policy-regex.js';
export type { Result } from './result.js';
export { FACT_LIMITS } from './session-view.js';
export type { WatchedPolicy, WatchOptions } from './watch.js';
export { PolicyLoadError, watchPolicyFile } from './watch.js';
