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
export type { CaseResult, RunOptions } from './run.js';
export { runCases, toCall } from './run.js';
export type { EvalConfig, EvalStack, StackOptions } from './stack.js';
export { createEvalStack, EVAL_CONFIGS, needsModel } from './stack.js';
