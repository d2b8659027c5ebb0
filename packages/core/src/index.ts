// Public API of @governed-mcp/core. Node-only pieces (the audit file sink) live under './node'.

// Audit chain
export type { CanonicalOptions, CanonicalValue } from './audit/canonical.js';
export { canonicalJson } from './audit/canonical.js';
export type {
  AppendOptions,
  AuditChainOptions,
  AuditPosition,
  Durability,
  MemorySink,
  RecordSink,
} from './audit/chain.js';
export { AuditChain, createMemorySink } from './audit/chain.js';
export {
  blake3Hex,
  blake3HexPortable,
  blake3Ready,
  DeferredDigest,
  digestOf,
  GENESIS_HASH,
} from './audit/hash.js';
export type { AuditRecord, LineCheck, LineProblem, RecordFields } from './audit/record.js';
export { checkRecordLine, serializeRecord } from './audit/record.js';
export type { BreakReason, VerifyReport } from './audit/verify.js';
export { ChainVerifier } from './audit/verify.js';
export type { Principal, ToolAnnotations, ToolCall, ToolDefinition, TransportFacts } from './call.js';
export type {
  AllowDecision,
  AskDecision,
  Decision,
  DenyDecision,
  Evaluation,
  LayerTrace,
  LayerVerdict,
  Reason,
} from './decision.js';
export { allow, ask, deny, isDecision, withReason } from './decision.js';
export { ErrorCode, GovernedError, isGovernedError } from './errors.js';
export type { AskAnswer, AskVerdict, CallOutcome, Gate, GateOptions, RecordedDecision } from './gate.js';
export { AUDIT_LAYER, createGate } from './gate.js';
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js';
export type { CallContext, FactKey, FailMode, Interceptor, Layer, Next } from './layer.js';
export { defineLayer, factKey } from './layer.js';
export type { LayerPosition } from './layer-position.js';
// Layers
export type { ArgumentLimits, ArgumentProblem } from './layers/argument-walk.js';
export { checkArguments, DEFAULT_ARGUMENT_LIMITS } from './layers/argument-walk.js';
export { CLASS_RANKS } from './layers/class-ranks.js';
export { LayerCode } from './layers/codes.js';
export type {
  CallFacts,
  Detector,
  Finding,
  Pattern,
  ScanText,
  TextRole,
} from './layers/prefilter/detector.js';
export { patternDetector } from './layers/prefilter/detector.js';
export type { RoutingTarget } from './layers/prefilter/net/curl-routing.js';
export { commandDestinations, curlRouting } from './layers/prefilter/net/curl-routing.js';
export { classifyAddress } from './layers/prefilter/net/host-class.js';
export type { HostResolver, Resolution, ResolutionOptions } from './layers/prefilter/net/resolve.js';
export { createResolution, systemResolver } from './layers/prefilter/net/resolve.js';
export type { FetchTarget } from './layers/prefilter/net/url-target.js';
export { findTargets, parseBareTarget, parseTarget } from './layers/prefilter/net/url-target.js';
export type { FetchReading, HostClass, TargetAllowance } from './layers/prefilter/network.js';
export { classifyHost, classifyTarget, createSsrfDetector } from './layers/prefilter/network.js';
export type { Normalized } from './layers/prefilter/normalize.js';
export { normalize } from './layers/prefilter/normalize.js';
export type { ScanLimits } from './layers/prefilter/scan.js';
export {
  DEFAULT_DETECTORS,
  DEFAULT_SCAN_LIMITS,
  DETECTOR_IDS,
  SCAN_LIMIT,
  scanArguments,
} from './layers/prefilter/scan.js';
export { initShellParser, shellParserReady } from './layers/prefilter/shell/parser.js';
export type { PrefilterFact, PrefilterLayerOptions } from './layers/prefilter-layer.js';
export { createPrefilterLayer, PREFILTER_FACT, PREFILTER_LAYER } from './layers/prefilter-layer.js';
export type { RateLimitLayerOptions } from './layers/rate-limit-layer.js';
export { createRateLimitLayer, RATE_LIMIT_LAYER } from './layers/rate-limit-layer.js';
export type {
  BucketRequest,
  MemoryStoreOptions,
  RateLimitStore,
  RetryAfterMs,
} from './layers/rate-limit-store.js';
export { MemoryRateLimitStore } from './layers/rate-limit-store.js';
export type { SchemaDialect } from './layers/schema-compiler.js';
export type { SchemaLayerOptions } from './layers/schema-layer.js';
export { createSchemaLayer, SCHEMA_LAYER } from './layers/schema-layer.js';
export type { TierLayerOptions } from './layers/tier-layer.js';
export { createTierLayer, TIER_FACT, TIER_LAYER } from './layers/tier-layer.js';
export type {
  BucketPlan,
  ConcurrencyPlan,
  RateLimitPlan,
  StrictnessProfile,
  TierFact,
  TierResolution,
  TierTable,
} from './layers/tier-table.js';
export { ANNOTATION_RANKS, createTierTable } from './layers/tier-table.js';
// Names: one glob engine and one matching rule for tool and server names
export type { GlobMode, GlobTest } from './names/glob.js';
export { compileGlob } from './names/glob.js';
export { literalMatcher } from './names/literal-matcher.js';
export { canonicalToolName, compileToolGlob } from './names/tool-name.js';
// Paths
export type { PathClass, PathEnv, PathVerdict } from './paths/classify.js';
export { classesOf, classifyPath, PATH_CLASSES } from './paths/classify.js';
export { declaresServers, isClientConfig } from './paths/client-config.js';
export type { PathCandidate, PathSource } from './paths/extract.js';
export {
  commandWords,
  extractPaths,
  looksLikePath,
  PATH_EXTRACT_LIMITS,
  PathExtractLimitError,
  pathTextsOf,
} from './paths/extract.js';
export { MAX_PATH_LENGTH, normalizePath } from './paths/normalize-path.js';
export type { PathEntry, PathFact } from './paths/path-fact.js';
export { PATH_FACT, pathFactForms } from './paths/path-fact.js';
export type { EvaluateOptions, Pipeline, PipelineOptions } from './pipeline.js';
export { createPipeline, PIPELINE_LAYER } from './pipeline.js';
// Statistics shared by the benchmarks and the evaluation report
export { quantile } from './quantile.js';
// Secrets: what is a stand-in rather than a secret (shared by the pre-filter and the redactor)
export type { StandIn } from './secrets/placeholder.js';
export { entropy, isPlaceholder, isSampleJwt, looksGenerated, standInOf } from './secrets/placeholder.js';
// Session: what a tool can do, the values a text carries, where a call's values came from
export { classifyTool, requestedClasses } from './session/capabilities.js';
export type { ProvenanceLimits, ResultSource } from './session/provenance.js';
export { DEFAULT_PROVENANCE_LIMITS, ProvenanceLedger } from './session/provenance.js';
export type { FoundValue } from './session/values.js';
export { findValues } from './session/values.js';
export type {
  CapabilityClass,
  FlaggedResultFact,
  SessionFacts,
  ValueKind,
  ValueOrigin,
} from './session-facts.js';
export { CAPABILITY_CLASSES, VALUE_KINDS } from './session-facts.js';
export type {
  Bucket,
  GateSettings,
  NetworkAllow,
  NetworkSettings,
  ProbeStrictness,
  RateLimitSpec,
  TierProfile,
  ToolRule,
} from './settings.js';
export {
  BucketSchema,
  CapabilityClassSchema,
  DEFAULT_SETTINGS,
  GateSettingsSchema,
  NetworkAllowSchema,
  NetworkSettingsSchema,
  ProbeStrictnessSchema,
  parseSettings,
  RateLimitSchema,
  TierProfileSchema,
  ToolRuleSchema,
} from './settings.js';
