// Public API of the evaluation harness behind `governed-mcp eval`.

export type { EvalCommandOptions, EvalIo } from './command.js';
export { runEvalCommand } from './command.js';
export type { DatasetIssue, DatasetResult, EvalCase, Label } from './dataset.js';
export { EvalCaseSchema, EvalErrorCode, loadDataset, parseDataset } from './dataset.js';
export { formatReport, table } from './format.js';
export type { Confusion, Metrics } from './metrics.js';
export { confusion, metrics, ratio } from './metrics.js';
export type { EvalReport, Latency, LayerReport, Miss, ReportMeta, SliceReport } from './report.js';
export { buildReport } from './report.js';
export type { CaseResult, JudgedCall, RunOptions } from './run.js';
export { resultOf, runCases, toCall } from './run.js';
export type { EvalSession, EvalStep } from './session-dataset.js';
export { EvalSessionSchema } from './session-dataset.js';
export type { SessionSummary } from './session-report.js';
export { summarizeSessions } from './session-report.js';
export type { SessionResult, SessionRunOptions } from './session-run.js';
export { replaySession, runSessions } from './session-run.js';
export type { EvalConfig, EvalStack, StackOptions } from './stack.js';
export { createEvalStack, EVAL_CONFIGS, needsModel } from './stack.js';
