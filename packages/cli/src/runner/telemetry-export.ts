import { createNoopMeter, DiagLogLevel, diag, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { Logger } from './log.js';
import { createGateTelemetry, type GateTelemetry } from './telemetry.js';

/** The service name spans and metrics carry unless OTEL_SERVICE_NAME says otherwise. */
export const TELEMETRY_SERVICE_NAME = 'governed-mcp';

/** How long the proxy's shutdown waits for the last export, in ms. */
const SHUTDOWN_MS = 2000;
/** At most one `telemetry_export_failed` line in this many ms. */
const EXPORT_WARNING_MS = 60_000;

/** The first line of an exporter's message (they are often whole JSON-encoded stacks), capped. */
function firstLine(message: string): string {
  const text = message.replace(/\\n[\s\S]*$/, '').replace(/\n[\s\S]*$/, '');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** What the standard `OTEL_*` variables ask to export. */
export interface TelemetryPlan {
  readonly traces: boolean;
  readonly metrics: boolean;
  /** Metric export interval and timeout (OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT), in ms. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** What the environment asked for that this proxy cannot do (logged as warnings). */
  readonly warnings: readonly string[];
}

/** The proxy's telemetry: the gate wrapper, what is exported, and how to flush and stop it. */
export interface ProxyTelemetry extends GateTelemetry {
  readonly exporting: { readonly traces: boolean; readonly metrics: boolean };
  /** Ends open spans, flushes and shuts the exporters down (idempotent; never rejects). */
  shutdown(): Promise<void>;
}

function exporterWanted(
  env: NodeJS.ProcessEnv,
  variable: string,
  signalEndpoint: string,
  warnings: string[],
): boolean {
  const named = env[variable]?.trim();
  if (named === undefined || named === '') {
    // No exporter named: an OTLP endpoint alone turns export on.
    return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[signalEndpoint]);
  }
  const names = named.split(',').map((n) => n.trim());
  for (const n of names) {
    if (n !== 'otlp' && n !== 'none') warnings.push(`${variable}=${n} is not supported (otlp or none)`);
  }
  return names.includes('otlp');
}

function milliseconds(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
  warnings: string[],
): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  warnings.push(`${variable}=${raw} is not a positive integer of ms; ${fallback} is used`);
  return fallback;
}

/**
 * Reads what the standard `OTEL_*` variables ask for: traces when OTEL_TRACES_EXPORTER names `otlp`
 * (or, unnamed, when an OTLP endpoint is set), metrics likewise with OTEL_METRICS_EXPORTER, nothing at
 * all with OTEL_SDK_DISABLED=true. Only OTLP over HTTP with JSON bodies is exported.
 */
export function telemetryPlan(env: NodeJS.ProcessEnv): TelemetryPlan {
  const warnings: string[] = [];
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const traces =
    !disabled && exporterWanted(env, 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', warnings);
  const metricsOn =
    !disabled &&
    exporterWanted(env, 'OTEL_METRICS_EXPORTER', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', warnings);
  const protocol = env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim();
  if ((traces || metricsOn) && protocol !== undefined && protocol !== '' && protocol !== 'http/json') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported; http/json is used`);
  }
  return {
    traces,
    metrics: metricsOn,
    intervalMs: milliseconds(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, warnings),
    timeoutMs: milliseconds(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 30_000, warnings),
    warnings,
  };
}

/**
 * Starts the proxy's telemetry. Without export asked for, no SDK module is loaded: spans and metrics
 * go through `@opentelemetry/api`'s global providers (no-ops unless the host registered its own). With
 * export, the SDK and the OTLP/HTTP exporters are imported here, on demand; the exporters read their
 * endpoint, headers and timeouts from the same `OTEL_*` variables themselves.
 */
export async function startTelemetry(env: NodeJS.ProcessEnv, log: Logger): Promise<ProxyTelemetry> {
  const plan = telemetryPlan(env);
  for (const message of plan.warnings) log.warn('telemetry_env_ignored', { message });
  const onError = (err: unknown): void =>
    log.warn('telemetry_failed', { message: err instanceof Error ? err.message : String(err) });
  if (!plan.traces && !plan.metrics) return apiOnly(onError);
  try {
    return await exported(plan, env, log, onError);
  } catch (err) {
    // The proxy runs without export rather than not at all.
    onError(err);
    return apiOnly(onError);
  }
}

/**
 * True when the host registered a global tracer or meter provider before the proxy started (e.g. an
 * SDK loaded with `node --import`): without one, the API hands out its own no-op tracer and meter.
 */
function hostProviders(): boolean {
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  const noopTracer = new ProxyTracerProvider().getDelegate().getTracer(TELEMETRY_SERVICE_NAME);
  const traced = provider.getTracer(TELEMETRY_SERVICE_NAME).constructor !== noopTracer.constructor;
  const metered = metrics.getMeter(TELEMETRY_SERVICE_NAME).constructor !== createNoopMeter().constructor;
  return traced || metered;
}

/**
 * Telemetry through the API's global providers only: no SDK, nothing exported. With no provider
 * registered at all the gate is not even wrapped, so telemetry that is off costs nothing per call.
 */
function apiOnly(onError: (err: unknown) => void): ProxyTelemetry {
  if (!hostProviders())
    return {
      instrument: (gate) => gate,
      endOpen: () => {},
      exporting: { traces: false, metrics: false },
      shutdown: async () => {},
    };
  const telemetry = createGateTelemetry({
    tracer: trace.getTracer(TELEMETRY_SERVICE_NAME),
    meter: metrics.getMeter(TELEMETRY_SERVICE_NAME),
    onError,
  });
  return {
    ...telemetry,
    exporting: { traces: false, metrics: false },
    shutdown: async () => telemetry.endOpen(),
  };
}

async function exported(
  plan: TelemetryPlan,
  env: NodeJS.ProcessEnv,
  log: Logger,
  onError: (err: unknown) => void,
): Promise<ProxyTelemetry> {
  // Export failures reach the log, at most one line a minute (a receiver that is down fails every export).
  let quietUntil = 0;
  let suppressed = 0;
  const failed = (message: string): void => {
    const now = Date.now();
    if (now < quietUntil) {
      suppressed++;
      return;
    }
    quietUntil = now + EXPORT_WARNING_MS;
    log.warn('telemetry_export_failed', { message: firstLine(message), suppressed });
    suppressed = 0;
  };
  diag.setLogger(
    {
      error: failed,
      warn: failed,
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const resource = resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME?.trim() || TELEMETRY_SERVICE_NAME,
  });
  const shutdowns: (() => Promise<void>)[] = [];
  let tracer = trace.getTracer(TELEMETRY_SERVICE_NAME);
  let meter = metrics.getMeter(TELEMETRY_SERVICE_NAME);
  if (plan.traces) {
    const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    // BatchSpanProcessor reads OTEL_BSP_SCHEDULE_DELAY and the other OTEL_BSP_* variables.
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
    });
    tracer = provider.getTracer(TELEMETRY_SERVICE_NAME);
    shutdowns.push(() => provider.shutdown());
  }
  if (plan.metrics) {
    const { MeterProvider, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    const provider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          exportIntervalMillis: plan.intervalMs,
          exportTimeoutMillis: Math.min(plan.timeoutMs, plan.intervalMs),
        }),
      ],
    });
    meter = provider.getMeter(TELEMETRY_SERVICE_NAME);
    shutdowns.push(() => provider.shutdown());
  }
  const telemetry = createGateTelemetry({ tracer, meter, onError });
  let stopped: Promise<void> | undefined;
  return {
    ...telemetry,
    exporting: { traces: plan.traces, metrics: plan.metrics },
    shutdown() {
      stopped ??= (async () => {
        telemetry.endOpen();
        // shutdown() flushes what is pending before it stops; a receiver that does not answer (the
        // exporters retry) holds the proxy's exit up for SHUTDOWN_MS at most.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), SHUTDOWN_MS);
        });
        const done = Promise.allSettled(shutdowns.map((s) => s()));
        const results = await Promise.race([done, late]);
        clearTimeout(timer);
        if (results === 'late')
          log.warn('telemetry_export_failed', { message: 'flush at shutdown timed out' });
        else for (const r of results) if (r.status === 'rejected') onError(r.reason);
      })();
      return stopped;
    },
  };
}
