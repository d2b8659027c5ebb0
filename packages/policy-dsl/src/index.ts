// Public API of @governed-mcp/policy-dsl: the constitution language and the constitutional layer.
//
// A policy file, for example:
//
//   default allow                                  # what decides when no rule matches
//   principle "Never send credentials anywhere."   # for the semantic gate's prompt
//   include "payments.policy"                      # another file's statements, in place
//
//   tier standard                                  # tiers, least trusted first
//     probe on alpha 0.5 threshold 0.5
//     limit per-tool 30 refill 5/s
//   end
//   tool "*payment*"                               # per-tool settings
//     require tier trusted
//   end
//
//   deny read-keys                                 # any matching deny wins over every allow
//     when any string glob "**/.ssh/id_*"
//     reason "Private keys never leave the machine."
//   end
//   allow readers                                  # else the first matching allow decides
//     when tool in ["read_file", "list_directory"] and arg.path glob "/srv/app/**"
//     reason "Reading the application tree is routine."
//   end

export type {
  Condition,
  DefaultPrincipalStatement,
  DefaultStatement,
  Effect,
  IncludeStatement,
  Operator,
  PolicyDocument,
  Predicate,
  PrincipleStatement,
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
export type { GlobMode, GlobTest } from './glob.js';
export { compileGlob } from './glob.js';
export type { PolicyHolder } from './layer.js';
export { createPolicyLayer, DEFAULT_RULE, POLICY_LAYER, PolicyReasonCode } from './layer.js';
export { loadPolicyFile } from './load.js';
export { normalizeText, pathForms } from './normalize.js';
export { parsePolicy } from './parser.js';
export type { Result } from './result.js';
export type { WatchedPolicy, WatchOptions } from './watch.js';
export { PolicyLoadError, watchPolicyFile } from './watch.js';
