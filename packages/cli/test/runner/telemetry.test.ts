import {
  AuditChain,
  allow,
  createGate,
  createMemorySink,
  createPipeline,
  defineLayer,
  deny,
  type Gate,
  type ToolCall,
} from '@governed-mcp/core';
import { SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/runner/log.js';
import { createGateTelemetry, LAYER_EVENT, TelemetryMetric } from '../../src/runner/telemetry.js';
import { startTelemetry, telemetryPlan } from '../../src/runner/telemetry-export.js';

function toolCall(tool: string, requestId: number): ToolCall {
  return {
    method: 'tools/call',
    tool: { name: tool, inputSchema: { type: 'object' } },
    arguments: { path: '/tmp/x' },
    principal: { id: 'agent-7', tier: 'standard' },
    sessionId: 'session-1',
    requestId,
  };
}

/** A gate whose `judge` layer denies `delete_file` and passes the rest to `allower`. */
function realGate(): Gate {
  const judge = defineLayer('judge', async (ctx, next) =>
    ctx.call.tool.name === 'delete_file' ? deny('judge', 'no_delete', 'deleting is off') : next(),
  );
  const allower = defineLayer('allower', async () => allow([{ layer: 'allower', code: 'listed' }]));
  const audit = new AuditChain(createMemorySink(), { durability: 'write' });
  return createGate({ pipeline: createPipeline([judge, allower]), audit });
}

function harness() {
  const spans = new InMemorySpanExporter();
  const tracing = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 60_000 });
  const metering = new MeterProvider({ readers: [reader] });
  const errors: unknown[] = [];
  const telemetry = createGateTelemetry({
    tracer: tracing.getTracer('test'),
    meter: metering.getMeter('test'),
    onError: (err) => errors.push(err),
  });
  const points = async (name: string) => {
    await reader.forceFlush();
    const all = exported.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    return all.filter((m) => m.descriptor.name === name).at(-1)?.dataPoints ?? [];
  };
  return { spans, telemetry, errors, points };
}

describe('gate telemetry', () => {
  it('reports an allowed call as one SERVER span with MCP attributes, per-layer events and its outcome', async () => {
    const { spans, telemetry } = harness();
    const gate = telemetry.instrument(realGate());
    const call = toolCall('read_file', 7);
    const checked = await gate.check(call);
    expect(spans.getFinishedSpans()).toHaveLength(0);
    await gate.recordOutcome(call, checked, { status: 'ok', ms: 3 });
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('tools/call read_file');
    expect(span?.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'read_file',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': '7',
      'mcp.session.id': 'session-1',
      'governed_mcp.decision.outcome': 'allow',
      'governed_mcp.decision.layer': 'allower',
      'governed_mcp.decision.code': 'listed',
      'governed_mcp.call.status': 'ok',
      'governed_mcp.audit.seq': checked.audit?.seq,
    });
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    const layers = span?.events.filter((e) => e.name === LAYER_EVENT).map((e) => e.attributes);
    expect(layers).toEqual([
      expect.objectContaining({ 'governed_mcp.layer.name': 'judge', 'governed_mcp.layer.verdict': 'pass' }),
      expect.objectContaining({
        'governed_mcp.layer.name': 'allower',
        'governed_mcp.layer.verdict': 'allow',
      }),
    ]);
  });

  it('ends a denied call at its decision with an error status and error.type set to the reason code', async () => {
    const { spans, telemetry } = harness();
    const gate = telemetry.instrument(realGate());
    await gate.check(toolCall('delete_file', 8));
    const [span] = spans.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no_delete' });
    expect(span?.attributes).toMatchObject({
      'error.type': 'no_delete',
      'governed_mcp.decision.outcome': 'deny',
      'governed_mcp.decision.layer': 'judge',
      'governed_mcp.call.status': 'denied',
    });
    expect(span?.events.map((e) => e.attributes?.['governed_mcp.layer.verdict'])).toEqual(['deny']);
  });

  it('counts decisions by outcome, deciding layer and code, and times each layer', async () => {
    const { telemetry, points } = harness();
    const gate = telemetry.instrument(realGate());
    for (let i = 0; i < 3; i++) await gate.check(toolCall('read_file', i));
    for (let i = 0; i < 2; i++) await gate.check(toolCall('delete_file', 10 + i));
    const counts = (await points(TelemetryMetric.decisions)).map((p) => [
      p.attributes['governed_mcp.decision.outcome'],
      p.attributes['governed_mcp.decision.layer'],
      p.attributes['governed_mcp.decision.code'],
      p.value,
    ]);
    expect(counts).toEqual(
      expect.arrayContaining([
        ['allow', 'allower', 'listed', 3],
        ['deny', 'judge', 'no_delete', 2],
      ]),
    );
    expect(counts).toHaveLength(2);
    const judged = (await points(TelemetryMetric.layerDuration)).filter(
      (p) => p.attributes['governed_mcp.layer.name'] === 'judge',
    );
    const total = judged.reduce((n, p) => n + (p.value as { count: number }).count, 0);
    expect(total).toBe(5);
    expect(await points(TelemetryMetric.auditDuration)).toHaveLength(1);
  });

  it('keeps the gate of withPipeline instrumented, as the mediator adds its layer that way', async () => {
    const { spans, telemetry } = harness();
    const gate = telemetry.instrument(realGate());
    const wrapped = gate.withPipeline(
      gate.pipeline.with(
        defineLayer('first', (_c, next) => next()),
        'first',
      ),
    );
    await wrapped.check(toolCall('delete_file', 9));
    expect(spans.getFinishedSpans()[0]?.events.map((e) => e.attributes?.['governed_mcp.layer.name'])).toEqual(
      ['first', 'judge'],
    );
  });

  it('decides exactly as the bare gate when the tracer and the meter throw, and reports the failure once', async () => {
    const broken = new Proxy({} as Tracer, {
      get: () => () => {
        throw new Error('tracer broke');
      },
    });
    const meter = new Proxy({} as never, {
      get: () => () => {
        throw new Error('meter broke');
      },
    });
    const errors: unknown[] = [];
    const telemetry = createGateTelemetry({ tracer: broken, meter, onError: (e) => errors.push(e) });
    const bare = realGate();
    const gate = telemetry.instrument(realGate());
    for (const [tool, id] of [
      ['read_file', 1],
      ['delete_file', 2],
    ] as const) {
      const expected = await bare.check(toolCall(tool, id));
      const got = await gate.check(toolCall(tool, id));
      expect(got.decision).toEqual(expected.decision);
      expect(got.trace.map((t) => [t.layer, t.verdict])).toEqual(
        expected.trace.map((t) => [t.layer, t.verdict]),
      );
      await expect(gate.recordOutcome(toolCall(tool, id), got, { status: 'ok' })).resolves.toBeDefined();
    }
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/meter broke/);
  });

  it('returns the very evaluation the gate returned', async () => {
    const inner = realGate();
    let seen: unknown;
    const spy: Gate = {
      ...inner,
      check: async (c, o) => {
        seen = await inner.check(c, o);
        return seen as Awaited<ReturnType<Gate['check']>>;
      },
    };
    const { telemetry } = harness();
    expect(await telemetry.instrument(spy).check(toolCall('read_file', 1))).toBe(seen);
  });
});

describe('telemetry plan', () => {
  it('exports nothing without OTEL variables, and nothing with OTEL_SDK_DISABLED=true', () => {
    expect(telemetryPlan({})).toMatchObject({ traces: false, metrics: false, warnings: [] });
    const off = telemetryPlan({
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(off).toMatchObject({ traces: false, metrics: false });
  });

  it('exports both signals for an OTLP endpoint, and only what OTEL_*_EXPORTER names', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318' })).toMatchObject({
      traces: true,
      metrics: true,
    });
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://h:4318/v1/traces' })).toMatchObject({
      traces: true,
      metrics: false,
    });
    expect(
      telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318', OTEL_METRICS_EXPORTER: 'none' }),
    ).toMatchObject({ traces: true, metrics: false });
    expect(telemetryPlan({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ traces: true, metrics: false });
  });

  it('warns about what it cannot honour instead of accepting it silently', () => {
    const plan = telemetryPlan({
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
    });
    expect(plan).toMatchObject({ traces: false, metrics: true, intervalMs: 60_000 });
    expect(plan.warnings.join('\n')).toMatch(/zipkin[\s\S]*http\/protobuf[\s\S]*soon/);
  });
});

describe('telemetry with export', () => {
  it('exports through the SDK when asked, and gives up on a receiver that is down within its shutdown bound', async () => {
    const lines: string[] = [];
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_METRIC_EXPORT_INTERVAL: '100' };
    const telemetry = await startTelemetry(
      env,
      createLogger('debug', (l) => lines.push(l)),
    );
    expect(telemetry.exporting).toEqual({ traces: true, metrics: true });
    const bare = realGate();
    const gate = telemetry.instrument(bare);
    expect(gate).not.toBe(bare);
    const call = toolCall('read_file', 1);
    const checked = await gate.check(call);
    expect(checked.decision.outcome).toBe('allow');
    await gate.recordOutcome(call, checked, { status: 'ok' });
    const started = performance.now();
    await telemetry.shutdown();
    expect(performance.now() - started).toBeLessThan(4000);
    expect(lines.join('\n')).toMatch(/telemetry_export_failed/);
  }, 10_000);
});

describe('telemetry without export', () => {
  it('leaves the gate unwrapped when no provider is registered, so it costs nothing per call', async () => {
    const lines: string[] = [];
    const telemetry = await startTelemetry(
      {},
      createLogger('debug', (l) => lines.push(l)),
    );
    const gate = realGate();
    expect(telemetry.instrument(gate)).toBe(gate);
    expect(telemetry.exporting).toEqual({ traces: false, metrics: false });
    expect(lines).toEqual([]);
  });

  it('reports through a tracer provider the host registered before the proxy started', async () => {
    const spans = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    try {
      const telemetry = await startTelemetry(
        {},
        createLogger('error', () => {}),
      );
      await telemetry.instrument(realGate()).check(toolCall('delete_file', 3));
      expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['tools/call delete_file']);
    } finally {
      trace.disable();
    }
  });
});
