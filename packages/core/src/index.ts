// Public API of @governed-mcp/core. Node-only pieces (the audit file sink) live under './node'.

export type { Principal, ToolAnnotations, ToolCall, ToolDefinition, TransportFacts } from './call.js';
export type {
  AllowDecision,
  Decision,
  DenyDecision,
  Evaluation,
  LayerTrace,
  LayerVerdict,
  Reason,
} from './decision.js';
export { allow, deny, isDecision, withReason } from './decision.js';
export { ErrorCode, GovernedError, isGovernedError } from './errors.js';
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js';
export type { CallContext, FactKey, FailMode, Interceptor, Layer, Next } from './layer.js';
export { defineLayer, factKey } from './layer.js';
export type { EvaluateOptions, Pipeline, PipelineOptions } from './pipeline.js';
export { createPipeline, PIPELINE_LAYER } from './pipeline.js';
export type {
  Bucket,
  GateSettings,
  ProbeStrictness,
  RateLimitSpec,
  TierProfile,
  ToolRule,
} from './settings.js';
export {
  BucketSchema,
  DEFAULT_SETTINGS,
  GateSettingsSchema,
  ProbeStrictnessSchema,
  parseSettings,
  RateLimitSchema,
  TierProfileSchema,
  ToolRuleSchema,
} from './settings.js';
