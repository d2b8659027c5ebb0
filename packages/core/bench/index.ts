// Benchmarks of @governed-mcp/core, run by `governed-mcp bench pipeline`.

export type { LayersBenchOptions } from './layers.js';
export { runLayersBench } from './layers.js';
export type { PipelineBenchOptions } from './pipeline.js';
export { runPipelineBench } from './pipeline.js';
export type { ProvenanceBenchOptions } from './provenance.js';
export { runProvenanceBench } from './provenance.js';
export type { Percentiles } from './stats.js';
export { isMain, percentiles, quantile, round, timeCalls } from './stats.js';
