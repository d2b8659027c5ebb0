import type { AskAnswer, CallOutcome, Gate, RecordedDecision, ToolCall } from '@governed-mcp/core';
import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_SESSION_ID,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  METRIC_MCP_SERVER_OPERATION_DURATION,
} from '@opentelemetry/semantic-conventions/incubating';

/** The gate's own span, event and metric attribute names (no semantic convention covers them). */
export const TelemetryAttr = {
  outcome: 'governed_mcp.decision.outcome',
  layer: 'governed_mcp.decision.layer',
  code: 'governed_mcp.decision.code',
  failure: 'governed_mcp.decision.failure',
  gateUs: 'governed_mcp.gate.elapsed_us',
  auditSeq: 'governed_mcp.audit.seq',
  principal: 'governed_mcp.principal.id',
  tier: 'governed_mcp.principal.tier',
  callStatus: 'governed_mcp.call.status',
  layerName: 'governed_mcp.layer.name',
  layerVerdict: 'governed_mcp.layer.verdict',
  layerUs: 'governed_mcp.layer.duration_us',
  answer: 'governed_mcp.answer.verdict',
} as const;

/** The gate's metric names; `mcp.server.operation.duration` is the MCP semantic convention's. */
export const TelemetryMetric = {
  decisions: 'governed_mcp.gate.decisions',
  gateDuration: 'governed_mcp.gate.duration',
  layerDuration: 'governed_mcp.layer.duration',
  auditDuration: 'governed_mcp.audit.append.duration',
  operationDuration: METRIC_MCP_SERVER_OPERATION_DURATION,
} as const;

/** The span event each layer's verdict is recorded as; `governed_mcp.answer` is a person's answer. */
export const LAYER_EVENT = 'governed_mcp.layer';
const ANSWER_EVENT = 'governed_mcp.answer';

/** Where the instrumented gate sends spans and metrics, and what it does when telemetry itself fails. */
export interface GateTelemetryOptions {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Called with the first error telemetry meets (later ones are dropped); never changes a decision. */
  readonly onError?: (err: unknown) => void;
  /** Spans left open (allowed calls awaiting their outcome) beyond this many are ended as `unknown`. */
  readonly maxOpen?: number;
}

/** Telemetry around a gate: wraps gates, and ends the spans still open at shutdown. */
export interface GateTelemetry {
  /** A gate that decides exactly as `gate` does and reports each call as a span and in metrics. */
  instrument(gate: Gate): Gate;
  /** Ends the spans of calls whose outcome never came (status `unknown`). */
  endOpen(): void;
}

interface Instruments {
  readonly decisions: Counter;
  readonly gate: Histogram;
  readonly layer: Histogram;
  readonly audit: Histogram;
  readonly operation: Histogram;
}

interface OpenCall {
  readonly span: Span;
  readonly startMs: number;
  readonly metric: Attributes;
}

function instrumentsOf(meter: Meter): Instruments {
  return {
    decisions: meter.createCounter(TelemetryMetric.decisions, {
      description: 'Decisions of the gate, by outcome, deciding layer and reason code',
      unit: '{decision}',
    }),
    gate: meter.createHistogram(TelemetryMetric.gateDuration, {
      description: 'Time the layers took to decide a call (audit excluded)',
      unit: 's',
    }),
    layer: meter.createHistogram(TelemetryMetric.layerDuration, {
      description: "One layer's own time in a call, by layer and verdict",
      unit: 's',
    }),
    audit: meter.createHistogram(TelemetryMetric.auditDuration, {
      description: "Time from the decision to its audit record's durability (audit lag)",
      unit: 's',
    }),
    operation: meter.createHistogram(TelemetryMetric.operationDuration, {
      description: 'Time from a mediated request to its outcome, as the proxy saw it',
      unit: 's',
    }),
  };
}

/** The layer and reason code that decided: the first layer that denied, failed or answered, else the first reason. */
function decidingReason(checked: RecordedDecision): { layer: string; code: string } {
  const d = checked.decision;
  const decider = checked.trace.find((t) => t.verdict !== 'pass');
  const r = (decider && d.reasons.find((x) => x.layer === decider.layer)) ?? d.reasons[0];
  return { layer: r?.layer ?? decider?.layer ?? 'none', code: r?.code ?? d.outcome };
}

function callAttributes(call: ToolCall): Attributes {
  const a: Attributes = { [ATTR_MCP_METHOD_NAME]: call.method };
  if (call.method === 'tools/call') {
    a[ATTR_GEN_AI_TOOL_NAME] = call.tool.name;
    a[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL;
  }
  if (call.requestId !== undefined) a[ATTR_JSONRPC_REQUEST_ID] = String(call.requestId);
  if (call.sessionId !== undefined) a[ATTR_MCP_SESSION_ID] = call.sessionId;
  a[TelemetryAttr.principal] = call.principal.id;
  a[TelemetryAttr.tier] = call.principal.tier;
  return a;
}

/** `{mcp.method.name} {target}` as the MCP conventions name a span: `tools/call read_file`. */
function spanName(call: ToolCall): string {
  return call.method === 'tools/call' ? `tools/call ${call.tool.name}` : call.method;
}

/**
 * Telemetry for the gate: every `check` starts a SERVER span (MCP and GenAI tool-call attributes), adds
 * one `governed_mcp.layer` event per layer of the trace, and sets the decision as attributes; a deny
 * ends it with an error status, an allowed call's span ends at its outcome. Metrics count decisions and
 * time the layers, the audit append and the whole operation. Any error inside telemetry is reported once
 * through `onError` and otherwise ignored: the wrapped gate returns exactly what the gate returned.
 * @example
 * const telemetry = createGateTelemetry({ tracer: trace.getTracer('governed-mcp'), meter: metrics.getMeter('governed-mcp') });
 * const mediator = createMediator({ gate: telemetry.instrument(gate), … });
 */
export function createGateTelemetry(options: GateTelemetryOptions): GateTelemetry {
  const { tracer, meter, maxOpen = 10_000 } = options;
  let failed = false;
  const guard = (step: () => void): void => {
    try {
      step();
    } catch (err) {
      if (failed) return;
      failed = true;
      try {
        options.onError?.(err);
      } catch {
        // A failing error reporter must not reach the call either.
      }
    }
  };
  let instruments: Instruments | undefined;
  guard(() => {
    instruments = instrumentsOf(meter);
  });
  const open = new Map<RecordedDecision, OpenCall>();

  const finish = (entry: OpenCall, status: string, error: string | undefined): void => {
    const errorAttr = error === undefined ? {} : { [ATTR_ERROR_TYPE]: error };
    entry.span.setAttributes({ [TelemetryAttr.callStatus]: status, ...errorAttr });
    if (error !== undefined) entry.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    entry.span.end();
    instruments?.operation.record((performance.now() - entry.startMs) / 1000, {
      ...entry.metric,
      ...errorAttr,
    });
  };

  const started = (call: ToolCall): { span: Span | undefined; startMs: number } => {
    const startMs = performance.now();
    let span: Span | undefined;
    guard(() => {
      span = tracer.startSpan(spanName(call), { kind: SpanKind.SERVER, attributes: callAttributes(call) });
    });
    return { span, startMs };
  };

  const decided = (call: ToolCall, checked: RecordedDecision, span: Span, startMs: number): void => {
    const d = checked.decision;
    const { layer, code } = decidingReason(checked);
    const wallS = (performance.now() - startMs) / 1000;
    // A span nobody records (no provider) is not given what it would drop.
    const recording = span.isRecording();
    for (const t of checked.trace) {
      if (recording)
        span.addEvent(LAYER_EVENT, {
          [TelemetryAttr.layerName]: t.layer,
          [TelemetryAttr.layerVerdict]: t.verdict,
          [TelemetryAttr.layerUs]: t.us,
        });
      instruments?.layer.record(t.us / 1e6, {
        [TelemetryAttr.layerName]: t.layer,
        [TelemetryAttr.layerVerdict]: t.verdict,
      });
    }
    if (recording)
      span.setAttributes({
        [TelemetryAttr.outcome]: d.outcome,
        [TelemetryAttr.layer]: layer,
        [TelemetryAttr.code]: code,
        [TelemetryAttr.gateUs]: checked.elapsedUs,
        ...(d.outcome === 'deny' && d.failure === true ? { [TelemetryAttr.failure]: true } : {}),
        ...(checked.audit === undefined ? {} : { [TelemetryAttr.auditSeq]: checked.audit.seq }),
      });
    const metric: Attributes = { [ATTR_MCP_METHOD_NAME]: call.method };
    if (call.method === 'tools/call') metric[ATTR_GEN_AI_TOOL_NAME] = call.tool.name;
    instruments?.decisions.add(1, {
      [TelemetryAttr.outcome]: d.outcome,
      [TelemetryAttr.layer]: layer,
      [TelemetryAttr.code]: code,
      [ATTR_MCP_METHOD_NAME]: call.method,
    });
    instruments?.gate.record(checked.elapsedUs / 1e6, {
      [TelemetryAttr.outcome]: d.outcome,
      [ATTR_MCP_METHOD_NAME]: call.method,
    });
    if (checked.audit !== undefined) instruments?.audit.record(Math.max(0, wallS - checked.elapsedUs / 1e6));
    const entry = { span, startMs, metric };
    if (d.outcome === 'deny') {
      finish(entry, 'denied', code);
      return;
    }
    if (open.size >= maxOpen) {
      const [oldest] = open;
      if (oldest !== undefined) {
        open.delete(oldest[0]);
        finish(oldest[1], 'unknown', undefined);
      }
    }
    open.set(checked, entry);
  };

  const outcome = (checked: RecordedDecision, o: CallOutcome): void => {
    const entry = open.get(checked);
    if (entry === undefined) return;
    open.delete(checked);
    finish(entry, o.status, o.status === 'error' || o.status === 'blocked' ? `call_${o.status}` : undefined);
  };

  const answered = (checked: RecordedDecision, a: AskAnswer): void => {
    const entry = open.get(checked);
    if (entry === undefined) return;
    entry.span.addEvent(ANSWER_EVENT, { [TelemetryAttr.answer]: a.verdict });
    // A yes leads to an outcome; anything else refuses the call here.
    if (a.verdict === 'approved') return;
    open.delete(checked);
    finish(entry, 'refused', `ask_${a.verdict}`);
  };

  const instrument = (gate: Gate): Gate => ({
    pipeline: gate.pipeline,
    ...(gate.audit === undefined ? {} : { audit: gate.audit }),
    async check(call, evaluateOptions) {
      const { span, startMs } = started(call);
      let checked: RecordedDecision;
      try {
        checked = await gate.check(call, evaluateOptions);
      } catch (err) {
        if (span !== undefined) guard(() => finish({ span, startMs, metric: {} }, 'failed', 'gate_error'));
        throw err;
      }
      if (span !== undefined) guard(() => decided(call, checked, span, startMs));
      return checked;
    },
    async recordOutcome(call, checked, o) {
      guard(() => outcome(checked, o));
      return gate.recordOutcome(call, checked, o);
    },
    async recordAnswer(call, checked, a) {
      guard(() => answered(checked, a));
      return gate.recordAnswer(call, checked, a);
    },
    withPipeline: (pipeline) => instrument(gate.withPipeline(pipeline)),
  });

  return {
    instrument,
    endOpen() {
      for (const entry of open.values()) guard(() => finish(entry, 'unknown', undefined));
      open.clear();
    },
  };
}
