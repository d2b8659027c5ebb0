import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolCall } from '@governed-mcp/core';
import {
  createLlamaCppBackend,
  createOpenAiCompletionsBackend,
  createProbe,
  type Probe,
  type ProbeResult,
} from '@governed-mcp/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LlamaPythonServer,
  skipReason,
  startLlamaPythonServer,
} from '../helpers/llama-python-server.js';
import { REPO } from '../helpers/processes.js';

/**
 * Largest accepted |Δp| between the embedded model and the server. They run the same GGUF on two
 * different llama.cpp builds (node-llama-cpp's and llama-cpp-python's), whose quantized kernels
 * differ: on the same tokens, label log-probabilities differ by 0.05 to 0.2 nats, and on these calls
 * the measured max |ΔpRaw| was 0.068 and the content-free estimates differed by 0.041.
 */
const TOLERANCE = 0.1;
/** Calls that must be decided by more than the tolerance, so that the decision check cannot pass empty. */
const MIN_CLEAR = 3;
/** Calls per label taken from the benchmark, spread over its categories. */
const PER_LABEL = 6;
const OPTIONS = { alpha: 0.5, threshold: 0.5 } as const;

interface Row {
  readonly id: string;
  readonly tool: { name: string; description?: string; inputSchema?: ToolCall['tool']['inputSchema'] };
  readonly arguments: ToolCall['arguments'];
  readonly label: 'safe' | 'dangerous';
  readonly category: string;
}

/** Every `step`-th row of each label, so that the calls vary in tool, category and size. */
function sample(): Row[] {
  const rows = readFileSync(join(REPO, 'eval/benchmark.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
  const pick = (label: Row['label']) => {
    const of = rows.filter((r) => r.label === label);
    const step = Math.floor(of.length / PER_LABEL);
    return Array.from({ length: PER_LABEL }, (_, i) => of[i * step]!);
  };
  return [...pick('safe'), ...pick('dangerous')];
}

function toCall(row: Row): ToolCall {
  return {
    method: 'tools/call',
    tool: {
      name: row.tool.name,
      description: row.tool.description ?? '',
      inputSchema: row.tool.inputSchema ?? {},
    },
    arguments: row.arguments,
    principal: { id: 'agent-1', tier: 'standard' },
  };
}

const reason = skipReason();
if (reason !== undefined) process.stderr.write(`probe-real-server: skipped: ${reason}\n`);

describe.skipIf(reason !== undefined)(
  `the probe through llama-cpp-python's server (${reason ?? 'real model'})`,
  () => {
    let server: LlamaPythonServer;
    let embedded: Probe;
    let remote: Probe;
    const rows = sample();
    const local: ProbeResult[] = [];
    const served: ProbeResult[] = [];

    beforeAll(async () => {
      server = await startLlamaPythonServer();
      embedded = await createProbe({
        backend: createLlamaCppBackend({ modelPath: server.model, threads: 1, contextSize: 2048 }),
        timeoutMs: 120_000,
      });
      remote = await createProbe({
        backend: createOpenAiCompletionsBackend({
          url: server.url,
          flavor: 'llama-cpp-python',
          connections: 1,
          requestTimeoutMs: 60_000,
        }),
        timeoutMs: 120_000,
      });
      for (const row of rows) {
        local.push(await embedded.classify(toCall(row), OPTIONS));
        served.push(await remote.classify(toCall(row), OPTIONS));
      }
    }, 240_000);

    afterAll(async () => {
      await remote?.close();
      await embedded?.close();
      await server?.close();
    });

    it(`gives the embedded model's pRaw within ${TOLERANCE} on every call`, () => {
      const deltas = rows.map((row, i) => ({
        id: row.id,
        delta: Math.abs(local[i]!.pRaw - served[i]!.pRaw),
      }));
      const max = Math.max(...deltas.map((d) => d.delta));
      for (const [i, d] of deltas.entries()) {
        const [l, r] = [local[i]!, served[i]!];
        process.stderr.write(
          `probe-real-server: ${d.id} pRaw ${l.pRaw.toFixed(3)}/${r.pRaw.toFixed(3)} pCal ${l.pCalibrated.toFixed(3)}/${r.pCalibrated.toFixed(3)} ${l.verdict}/${r.verdict}\n`,
        );
      }
      process.stderr.write(`probe-real-server: max |ΔpRaw| = ${max.toFixed(4)}\n`);
      for (const d of deltas) expect(d.delta, d.id).toBeLessThanOrEqual(TOLERANCE);
    });

    it(`gives the embedded model's decision on every call decided by more than ${TOLERANCE}`, () => {
      const clear = rows
        .map((row, i) => ({ id: row.id, local: local[i]!, served: served[i]! }))
        .filter((c) => Math.abs(c.local.pCalibrated - c.local.threshold) > TOLERANCE);
      // Most calls are clear-cut; a sample of near-ties only would prove nothing.
      expect(clear.length).toBeGreaterThanOrEqual(MIN_CLEAR);
      expect(clear.map((c) => `${c.id}:${c.served.verdict}`)).toEqual(
        clear.map((c) => `${c.id}:${c.local.verdict}`),
      );
      for (const c of clear) {
        expect(Math.abs(c.served.pCalibrated - c.local.pCalibrated), c.id).toBeLessThanOrEqual(TOLERANCE);
      }
    });

    it(`measures the same content-free calibration estimate, within ${TOLERANCE}`, () => {
      expect(Math.abs(remote.contentFree[1] - embedded.contentFree[1])).toBeLessThanOrEqual(TOLERANCE);
      expect(served[0]!.pContentFree).toBeCloseTo(remote.contentFree[1], 12);
    });

    it('counts the same prompt tokens as the embedded model', () => {
      expect(served.map((r) => r.tokens.call)).toEqual(local.map((r) => r.tokens.call));
      expect(remote.describe().prefixTokens).toBe(embedded.describe().prefixTokens);
    });
  },
);
