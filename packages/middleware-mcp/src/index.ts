// Public API of @governed-mcp/middleware-mcp.

// The layer assembly shared by the in-process wrapper and the proxy
export type { AssemblyOptions, CanonicalLayer, LayerConfiguration, ProbeSource } from './assembly.js';
export {
  assembleLayers,
  CANONICAL_LAYERS,
  isLayerConfiguration,
  LAYER_CONFIGURATIONS,
  layersOf,
} from './assembly.js';
// The principal of sessions nobody authenticated
export type { PrincipalInputs, PrincipalSource, ResolvedPrincipal } from './default-principal.js';
export { LOCAL_USER_TIER, localUserName, resolveDefaultPrincipal } from './default-principal.js';
// One call for the common case: an SDK server governed as the proxy governs it
export type { GovernedServer, GovernServerOptions } from './govern-server.js';
export { governServer } from './govern-server.js';
// In-process wrapper
export type { ConnectableServer, GovernedConnectionOptions } from './in-process.js';
export { connectGoverned } from './in-process.js';
// Mediation at the message layer (shared by the in-process wrapper and the runner)
export { AskCode } from './mediation/ask.js';
export { MAX_ASK_MESSAGE } from './mediation/ask-question.js';
export type { CatalogueEntry, ToolStatus } from './mediation/catalogue.js';
export { fingerprintOf } from './mediation/catalogue.js';
export type { TrimmedParams } from './mediation/forwarded-params.js';
export { trimParams } from './mediation/forwarded-params.js';
export type { FrameLimits } from './mediation/frame.js';
export { DEFAULT_FRAME_LIMITS, idKey } from './mediation/frame.js';
export type { GovernTransportOptions } from './mediation/govern-transport.js';
export { createSequencer, governTransport } from './mediation/govern-transport.js';
export type { MediationGate } from './mediation/mediation-gate.js';
export { createMediationGate, MEDIATION_LAYER } from './mediation/mediation-gate.js';
export { createMediator } from './mediation/mediator.js';
export type {
  GateSource,
  MediationLog,
  Mediator,
  MediatorOptions,
  PeerInfo,
  Routed,
  TextProbeOptions,
  ToolReview,
  ToolVisibility,
} from './mediation/mediator-types.js';
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
export type { DirectiveSpan } from './mediation/result-directives.js';
export { directiveSpans } from './mediation/result-directives.js';
export type {
  ResultFinding,
  ResultInstructionsMode,
  ResultJudgement,
} from './mediation/result-judgement.js';
export {
  judgeResult,
  MAX_INSTRUCTION_CHARS,
  MAX_INSTRUCTION_SPANS,
  QUARANTINE_NOTICE,
} from './mediation/result-judgement.js';
export type { ProbedResult } from './mediation/text-probe.js';
export { TextProbeCode } from './mediation/text-probe.js';
export type { TierResolver } from './mediation/visibility.js';
export { allVisible, tierVisibility } from './mediation/visibility.js';
export type { Refusal } from './mediation/wire.js';
export { errorResponse, JsonRpcError, jsonRpcCodeOf, MediationCode } from './mediation/wire.js';
export type { TextQuestions } from './text-questions.js';
export { textProbeOptions } from './text-questions.js';
