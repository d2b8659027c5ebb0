import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, settle } from '../helpers/events.js';
import { CLI, killAll, REPO, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const FIXTURE = join(REPO, 'packages/cli/test/runner/fixtures/upstream-server.mjs');

const POLICY = `default allow
deny no-env
  when tool == "env"
  reason "Reading the environment is off."
end
`;

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  events?: { name: string; attributes: OtlpAttribute[] }[];
  status?: { code?: number; message?: string };
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: { attributes: OtlpAttribute[]; asDouble?: number; asInt?: number | string }[] };
}

function attrs(list: OtlpAttribute[] = []): Record<string, unknown> {
  return Object.fromEntries(
    list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]),
  );
}

/** A local OTLP/HTTP receiver taking the exporters' JSON bodies. */
async function otlpReceiver(): Promise<{
  server: Server;
  url: string;
  spans: OtlpSpan[];
  metrics: OtlpMetric[];
  services: unknown[];
}> {
  const spans: OtlpSpan[] = [];
  const metrics: OtlpMetric[] = [];
  const services: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as {
        resourceSpans?: { resource?: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        resourceMetrics?: { scopeMetrics: { metrics: OtlpMetric[] }[] }[];
      };
      if (req.url === '/v1/traces')
        for (const r of parsed.resourceSpans ?? []) {
          services.push(attrs(r.resource?.attributes)['service.name']);
          for (const s of r.scopeSpans) spans.push(...s.spans);
        }
      if (req.url === '/v1/metrics')
        for (const r of parsed.resourceMetrics ?? [])
          for (const s of r.scopeMetrics) metrics.push(...s.metrics);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, spans, metrics, services };
}

/** Starts the proxy over stdio in front of the fixture upstream with a policy that denies `env`. */
async function proxyWith(env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-telemetry-'));
  const policy = join(dir, 'team.policy');
  writeFileSync(policy, POLICY);
  const config = join(dir, 'proxy.json');
  writeFileSync(config, JSON.stringify({ upstream: { command: [process.execPath, FIXTURE] } }));
  const proxy = watch(process.execPath, [...CLI, 'proxy', '--config', config, '--policy', policy], env);
  const stdout = jsonLines(proxy.child.stdout!, () => proxy.lines.slice(-20).join('\n'));
  const send = (m: unknown): void => {
    proxy.child.stdin!.write(`${JSON.stringify(m)}\n`);
  };
  send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'telemetry', version: '1' },
    },
  });
  await stdout.answer(0);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const call = async (id: number, name: string, args: Record<string, unknown>) => {
    send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
    return stdout.answer(id);
  };
  const started = JSON.parse(await proxy.waitFor((l) => l.includes('"event":"proxy_started"'))) as {
    telemetry?: unknown;
  };
  return { proxy, call, started };
}

/** Env without any OTEL_* variable of the test runner's own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
}

describe('governed-mcp proxy telemetry', () => {
  it('exports a span per call, with the tool, the outcome and the layer verdicts, and decision metrics over OTLP', async () => {
    const receiver = await otlpReceiver();
    try {
      const { proxy, call, started } = await proxyWith({
        ...cleanEnv(),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        OTEL_SERVICE_NAME: 'gate-under-test',
      });
      expect(started.telemetry).toEqual({ traces: true, metrics: true });
      expect(await call(1, 'echo', { text: 'hi' })).toMatchObject({ result: { content: [{ text: 'hi' }] } });
      expect(await call(2, 'env', { name: 'HOME' })).toMatchObject({ result: { isError: true } });
      // Stopping flushes what the batch processor and the metric reader still hold.
      proxy.child.stdin!.end();
      await proxy.exited;
      await settle('the receiver reads the last bodies', 100);

      expect(new Set(receiver.services)).toEqual(new Set(['gate-under-test']));
      const byName = new Map(receiver.spans.map((s) => [s.name, s]));
      const allowed = byName.get('tools/call echo');
      const denied = byName.get('tools/call env');
      expect(attrs(allowed?.attributes)).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'echo',
        'gen_ai.operation.name': 'execute_tool',
        'jsonrpc.request.id': '1',
        'governed_mcp.decision.outcome': 'allow',
        'governed_mcp.call.status': 'ok',
      });
      expect(attrs(denied?.attributes)).toMatchObject({
        'gen_ai.tool.name': 'env',
        'governed_mcp.decision.outcome': 'deny',
        'governed_mcp.decision.layer': 'policy',
        'governed_mcp.call.status': 'denied',
      });
      expect(denied?.status?.code).toBe(2);
      const verdicts = (denied?.events ?? []).map((e) => attrs(e.attributes));
      expect(verdicts).toContainEqual(
        expect.objectContaining({
          'governed_mcp.layer.name': 'policy',
          'governed_mcp.layer.verdict': 'deny',
        }),
      );
      const decisions = receiver.metrics.filter((m) => m.name === 'governed_mcp.gate.decisions').at(-1);
      const counted = (decisions?.sum?.dataPoints ?? []).map((p) => {
        const a = attrs(p.attributes);
        return [a['governed_mcp.decision.outcome'], a['mcp.method.name'], Number(p.asDouble ?? p.asInt)];
      });
      expect(counted).toEqual(
        expect.arrayContaining([
          ['allow', 'tools/call', 1],
          ['deny', 'tools/call', 1],
        ]),
      );
    } finally {
      receiver.server.close();
    }
  }, 60_000);

  it('exports nothing and loads no SDK without OTEL variables', async () => {
    const { proxy, call, started } = await proxyWith(cleanEnv());
    expect(started.telemetry).toEqual({ traces: false, metrics: false });
    expect(await call(1, 'echo', { text: 'hi' })).toMatchObject({ result: { content: [{ text: 'hi' }] } });
    proxy.child.stdin!.end();
    expect(await proxy.exited).toBe(0);
    expect(proxy.lines.some((l) => l.includes('telemetry_'))).toBe(false);
  }, 60_000);
});
