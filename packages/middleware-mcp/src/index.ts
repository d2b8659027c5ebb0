// Public API of @governed-mcp/middleware-mcp.

// The runner's layer assembly and configuration file
export type { AssemblyOptions, CanonicalLayer, LayerConfiguration, ProbeSource } from './assembly.js';
export {
  assembleLayers,
  CANONICAL_LAYERS,
  isLayerConfiguration,
  LAYER_CONFIGURATIONS,
  loadPolicy,
} from './assembly.js';
export type { ProxyConfig, ProxyConfigInput, RunnerLimits, TokenBinding, UpstreamConfig } from './config.js';
export { loadProxyConfig, ProxyConfigSchema, parseProxyConfig, settingsOver, tokenDigest } from './config.js';
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
// In-process wrapper
export type { ConnectableServer, GovernedConnectionOptions } from './in-process.js';
export { connectGoverned } from './in-process.js';
// Mediation at the message layer (shared by the in-process wrapper and the runner)
export type { GateSource, MediationGate } from './mediation/audit.js';
export { createMediationGate, MEDIATION_LAYER } from './mediation/audit.js';
export type { CatalogueEntry, ToolStatus } from './mediation/catalogue.js';
export { fingerprintOf } from './mediation/catalogue.js';
export type { TrimmedParams } from './mediation/forwarded-params.js';
export { trimParams } from './mediation/forwarded-params.js';
export type { FrameLimits } from './mediation/frame.js';
export { DEFAULT_FRAME_LIMITS } from './mediation/frame.js';
export type { GovernTransportOptions } from './mediation/govern-transport.js';
export { createSequencer } from './mediation/govern-transport.js';
export type {
  MediationLog,
  Mediator,
  MediatorOptions,
  PeerInfo,
  Routed,
  ToolReview,
  ToolVisibility,
} from './mediation/mediator.js';
export { createMediator, governTransport } from './mediation/mediator.js';
export type { MediatedKinds, RequestRole } from './mediation/methods.js';
export type { PinFile } from './mediation/pin-file.js';
export { openPinFile } from './mediation/pin-file.js';
export type { PinStore } from './mediation/pins.js';
export { createMemoryPinStore } from './mediation/pins.js';
export type { PoisonFinding, PoisonKind } from './mediation/poisoning.js';
export { scanServerText, scanToolDefinition } from './mediation/poisoning.js';
export type {
  Redacted,
  RedactionFinding,
  RedactionMode,
  RedactOptions,
  SecretPattern,
} from './mediation/redaction.js';
export { redactText, redactValue } from './mediation/redaction.js';
export type { ScanBounds } from './mediation/redaction-scanner.js';
export { DEFAULT_SCAN_BOUNDS } from './mediation/redaction-scanner.js';
export type { TierResolver } from './mediation/visibility.js';
export { allVisible, tierVisibility } from './mediation/visibility.js';
export type { Refusal } from './mediation/wire.js';
export { JsonRpcError, jsonRpcCodeOf, MediationCode } from './mediation/wire.js';
// The runner (governed-mcp proxy)
export type { BridgeMediator, ClientSink } from './runner/bridge.js';
export type { LogFields, Logger, LogLevel } from './runner/log.js';
export { createLogger } from './runner/log.js';
export type { ListenSpec, Runner, RunnerLimitOptions, RunnerOptions } from './runner/runner.js';
export { startRunner } from './runner/runner.js';
export type { ProxyOverrides, StartedProxy } from './runner/start-proxy.js';
export { parseListen, startProxy } from './runner/start-proxy.js';
export type { HttpUpstreamSpec, StdioUpstreamSpec, UpstreamSpec } from './runner/upstream.js';
export { childEnvironment } from './runner/upstream.js';
export { RunnerErrorCode } from './runner/wire.js';
