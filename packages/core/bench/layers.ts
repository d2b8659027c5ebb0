import { loadavg } from 'node:os';
import {
  createPipeline,
  createPrefilterLayer,
  createRateLimitLayer,
  createSchemaLayer,
  createTierLayer,
  DEFAULT_SETTINGS,
  type GateSettings,
  type Layer,
  type Pipeline,
  parseSettings,
  type ToolCall,
} from '../src/index.js';
import { isMain, round, timeCalls } from './stats.js';

/** Options of the deterministic-layers benchmark. */
export interface LayersBenchOptions {
  /** Calls per variant and size. Default 50k. */
  readonly iterations?: number;
}

const SIZES = { '100b': 100, '1kb': 1024, '10kb': 10 * 1024 } as const;

// A source file an agent might write: code, comments and prose, as a real editing call carries.
const SOURCE = `import { readFile } from 'node:fs/promises';

/** Loads the user's profile and merges the defaults the settings page expects. */
export async function loadProfile(path: string, defaults: Profile): Promise<Profile> {
  const text = await readFile(path, 'utf8');
  const parsed = JSON.parse(text) as Partial<Profile>;
  // Older files stored the theme under "colour"; keep reading them until the migration is done.
  return { ...defaults, ...parsed, theme: parsed.theme ?? defaults.theme };
}

export interface Profile { name: string; email: string; theme: 'light' | 'dark'; locale: string }
`;

function content(bytes: number): string {
  let text = '';
  while (text.length < bytes) text += SOURCE;
  return text.slice(0, bytes);
}

const writeFileTool = {
  name: 'write_file',
  description: 'Create or overwrite a file in the workspace.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, maxLength: 4096 },
      content: { type: 'string' },
      encoding: { type: 'string', enum: ['utf8', 'base64'] },
      createDirectories: { type: 'boolean' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  annotations: { destructiveHint: false, openWorldHint: false },
};

function callOf(bytes: number): ToolCall {
  const path = 'src/features/profile/load-profile.ts';
  // The argument object's JSON size is the nominal size: the content fills what the rest leaves.
  const overhead = JSON.stringify({ path, content: '', encoding: 'utf8', createDirectories: true }).length;
  return {
    method: 'tools/call',
    tool: writeFileTool,
    arguments: { path, content: content(bytes - overhead), encoding: 'utf8', createDirectories: true },
    principal: { id: 'agent-7', tier: 'standard' },
    server: 'workspace',
  };
}

// Buckets large enough never to deny: the benchmark measures the allow path, bucket arithmetic included.
function benchSettings(): GateSettings {
  const huge = { capacity: 1e12, refillPerSec: 1e9 };
  return parseSettings({
    ...DEFAULT_SETTINGS,
    tiers: DEFAULT_SETTINGS.tiers.map((t) => ({
      ...t,
      rateLimit: { perPrincipalTool: huge, perPrincipal: huge, maxConcurrent: 1_000_000 },
    })),
  });
}

function fourLayers(settings: GateSettings): Layer[] {
  return [
    createSchemaLayer(),
    createTierLayer(settings),
    createRateLimitLayer(settings),
    createPrefilterLayer(settings),
  ];
}

/** Median bytes allocated per call: heap growth over short batches, batches that saw a GC skipped. */
async function allocationPerCall(pipeline: Pipeline, call: ToolCall): Promise<number> {
  const batch = 200;
  const perCall: number[] = [];
  for (let b = 0; b < 40; b++) {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < batch; i++) await pipeline.evaluate(call);
    const delta = process.memoryUsage().heapUsed - before;
    if (delta > 0) perCall.push(delta / batch);
  }
  perCall.sort((a, b) => a - b);
  return Math.round(perCall[Math.floor(perCall.length / 2)] ?? Number.NaN);
}

/**
 * Mean CPU time per call in µs (user + system, from process.cpuUsage over `n` calls): on a shared,
 * oversubscribed machine this is steadier than wall time, which also counts time spent descheduled.
 */
async function cpuPerCall(pipeline: Pipeline, call: ToolCall, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await pipeline.evaluate(call);
  const used = process.cpuUsage(start);
  return round((used.user + used.system) / n);
}

/**
 * A machine-speed reference: ns per character of a one-comparison loop over 1 MB of text. Lets a
 * reader compare figures taken on machines of different speed or load.
 */
function calibrationNsPerChar(): number {
  const text = content(1 << 20);
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5; attempt++) {
    const t = performance.now();
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    const ns = ((performance.now() - t) * 1e6) / text.length;
    if (n > 0 && ns < best) best = ns;
  }
  return round(best);
}

/**
 * Times the four deterministic layers (schema, tier, rate limit, pre-filter) on a realistic
 * `write_file` call with 100 B, 1 KB and 10 KB of arguments, beside a no-op pipeline in the same run;
 * also each layer alone at 1 KB, and bytes allocated per call.
 */
export async function runLayersBench(options: LayersBenchOptions = {}): Promise<Record<string, unknown>> {
  const iterations = options.iterations ?? 50_000;
  const settings = benchSettings();
  const noop = createPipeline([]);
  const layers = createPipeline(fourLayers(settings));
  const result: Record<string, unknown> = { iterations, node: process.version, loadavg_1m: loadavg()[0] };
  result['calibration_loop_ns_per_char'] = calibrationNsPerChar();
  for (const [label, bytes] of Object.entries(SIZES)) {
    const call = callOf(bytes);
    const baseline = await timeCalls(() => noop.evaluate(call), iterations);
    const four = await timeCalls(() => layers.evaluate(call), iterations);
    const decision = (await layers.evaluate(call)).decision;
    if (decision.outcome !== 'allow') throw new Error(`layers bench: the ${label} call was denied`);
    result[label] = {
      noop: baseline,
      layers: four,
      overhead_p50_us: round(four.p50_us - baseline.p50_us),
      cpu_us_per_call: {
        noop: await cpuPerCall(noop, call, iterations),
        layers: await cpuPerCall(layers, call, iterations),
      },
      alloc_bytes_per_call: await allocationPerCall(layers, call),
      noop_alloc_bytes_per_call: await allocationPerCall(noop, call),
    };
  }
  const oneKb = callOf(SIZES['1kb']);
  const alone: Record<string, object> = {};
  for (const layer of fourLayers(settings)) {
    const single = createPipeline([layer]);
    alone[layer.name] = await timeCalls(() => single.evaluate(oneKb), Math.min(iterations, 20_000));
  }
  result['alone_1kb'] = alone;
  return result;
}

if (isMain(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await runLayersBench(), null, 2)}\n`);
}
