// Public API of @governed-mcp/probe. node-llama-cpp is imported lazily by the embedded backend, so
// importing this package does not load it.

export type { GgufSummary } from './backend/gguf-check.js';
export { checkGguf } from './backend/gguf-check.js';
export type { HttpBackendOptions } from './backend/http.js';
export type { LlamaCppBackendOptions } from './backend/llama-cpp.js';
export { createLlamaCppBackend } from './backend/llama-cpp.js';
export type { LlamaServerBackendOptions } from './backend/llama-server.js';
export { createLlamaServerBackend } from './backend/llama-server.js';
export type {
  OpenAiCompletionsBackendOptions,
  OpenAiCompletionsFlavor,
  ProbeServerKind,
} from './backend/openai-completions.js';
export {
  createOpenAiCompletionsBackend,
  OPENAI_COMPLETIONS_FLAVORS,
  PROBE_SERVER_KINDS,
} from './backend/openai-completions.js';
export type { LlamaGpu } from './backend/runtime-package.js';
export { LLAMA_RUNTIME, LLAMA_RUNTIME_RANGE } from './backend/runtime-package.js';
export type {
  BackendInfo,
  PreparedPrefix,
  ProbeBackend,
  ScoreRequest,
  ScoreResult,
} from './backend/types.js';
export type { VllmBackendOptions } from './backend/vllm.js';
export { createVllmBackend } from './backend/vllm.js';
export type { LabelPair } from './calibration.js';
export {
  calibrate,
  calibrateLogprobs,
  contentFreeEstimate,
  labelProbabilities,
  softmax2,
} from './calibration.js';
export type { CanonicalLimits, CanonicalText } from './canonical.js';
export { canonicalize } from './canonical.js';
export { ProbeErrorCode } from './errors.js';
export type { ExampleCall, ProbeExample } from './examples.js';
export {
  DEFAULT_EXAMPLES,
  exampleToolCall,
  MAX_EXAMPLES,
  MAX_EXAMPLES_BYTES,
  renderExamples,
} from './examples.js';
export type { KnownAnswerModel, LlamaShape, ModelOptions, RandomModelOptions } from './gguf/models.js';
export { writeKnownAnswerModel, writeRandomModel } from './gguf/models.js';
export type { GgufContent, GgufTensor, GgufValue } from './gguf/writer.js';
export { encodeGguf, writeGguf } from './gguf/writer.js';
export type { ProbeEvidenceInput, ProbeLayerOptions } from './layer.js';
export {
  createProbeLayer,
  defaultStrictness,
  PROBE_LAYER,
  ProbeDecisionCode,
  probeEvidence,
} from './layer.js';
export type {
  ClassifyOptions,
  Probe,
  ProbeOptions,
  ProbeQuestion,
  ProbeResult,
  QuestionScore,
  TaskMode,
} from './probe.js';
export { clearCalibrationCache, createProbe, TASK_MODES } from './probe.js';
export type { PromptTemplate, RenderedCall } from './prompt.js';
export {
  DEFAULT_PRINCIPLES,
  DEFAULT_TASK_VERBALIZER,
  DEFAULT_TEMPLATE,
  renderCall,
  renderFacts,
  renderPrefix,
  renderTaskCall,
  TASK_LIMIT,
} from './prompt.js';
export type { ProbeText, TextClassifyOptions, TextKind, TextProbeResult } from './text-probe.js';
export {
  DEFAULT_TEXT_VERBALIZER,
  DEFINITION_CACHE_SIZE,
  definitionText,
  renderText,
  TEXT_KINDS,
  TEXT_LIMIT,
} from './text-probe.js';
export type { ResolvedVerbalizer, Verbalizer } from './verbalizer.js';
export { DEFAULT_VERBALIZER } from './verbalizer.js';
