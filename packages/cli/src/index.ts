// Public API of @governed-mcp/cli: the governed-mcp runner, its configuration file and the evaluation harness.

// The configuration file
export type {
  CustomLayerEntry,
  ProxyConfig,
  ProxyConfigInput,
  RunnerLimits,
  TokenBinding,
  UpstreamConfig,
} from './config.js';
export {
  CustomLayerEntrySchema,
  loadProxyConfig,
  ProxyConfigSchema,
  parseProxyConfig,
  settingsOver,
  tokenDigest,
} from './config.js';
// Evaluation harness (`governed-mcp eval`)
export type {
  CaseResult,
  DatasetIssue,
  DatasetResult,
  EvalCase,
  EvalConfig,
  EvalReport,
  Metrics,
} from './eval/index.js';
export {
  buildReport,
  createEvalStack,
  EVAL_CONFIGS,
  EvalErrorCode,
  formatReport,
  loadDataset,
  metrics,
  parseDataset,
  runCases,
} from './eval/index.js';
// The model cache (`governed-mcp model`)
export type { CachedRecommendedModel } from './models/resolve.js';
export { findCachedRecommendedModel, resolveModelPath } from './models/resolve.js';
// The runner (governed-mcp proxy)
export type { BridgeMediator, ClientSink } from './runner/bridge.js';
export type { CustomLayer, CustomLayerPosition } from './runner/custom-layers.js';
export { loadCustomLayers, placeCustomLayers, RESERVED_LAYER_NAMES } from './runner/custom-layers.js';
export type { LogFields, LogFormat, Logger, LoggerOptions, LogLevel } from './runner/log.js';
export { createLogger, defaultLogFormat, LOG_FORMATS, LOG_LEVELS } from './runner/log.js';
export type { ListenSpec, Runner, RunnerLimitOptions, RunnerOptions } from './runner/runner.js';
export { startRunner } from './runner/runner.js';
export type { ProxyOverrides, StartedProxy } from './runner/start-proxy.js';
export { parseListen, startProxy } from './runner/start-proxy.js';
export type { HttpUpstreamSpec, StdioUpstreamSpec, UpstreamSpec } from './runner/upstream.js';
export { childEnvironment } from './runner/upstream.js';
export { RunnerErrorCode } from './runner/wire.js';
