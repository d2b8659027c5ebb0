import { percentiles, round } from '@governed-mcp/core/bench';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { benchConfig, benchPaths, everythingHttp, proxyHttp } from './targets.js';

/** Options of the proxy benchmark. */
export interface ProxyBenchOptions {
  /** Timed sequential calls per latency variant. Default 400. */
  readonly iterations?: number;
  /** Untimed calls first. Default 50. */
  readonly warmup?: number;
  /** Calls per throughput run. Default 1000. */
  readonly throughputCalls?: number;
  /** Durability of the runner's audit chain. Default 'fsync', as in production. */
  readonly durability?: 'fsync' | 'group' | 'none';
}

/** Latency of one transport, direct versus through the runner, in ms. */
export interface LatencyFigures {
  readonly direct_p50_ms: number;
  readonly proxied_p50_ms: number;
  readonly direct_p99_ms: number;
  readonly proxied_p99_ms: number;
  readonly added_p50_ms: number;
}

/** The benchmark's JSON. */
export interface ProxyBenchResult {
  readonly stdio: LatencyFigures;
  readonly http: LatencyFigures;
  readonly throughput: {
    readonly transport: 'stdio';
    readonly c1_per_s: number;
    readonly c32_per_s: number;
    readonly direct_c1_per_s: number;
    readonly direct_c32_per_s: number;
  };
  readonly setup: Readonly<Record<string, unknown>>;
}

const ECHO = { name: 'echo', arguments: { message: 'bench' } };

/** Connects a fresh MCP client over `transport`. */
export async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'proxy-bench', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** One server-everything `echo` call; throws when the server answers with an error. */
export async function echo(client: Client): Promise<void> {
  const res = await client.callTool(ECHO);
  if (res.isError) throw new Error(`echo failed: ${JSON.stringify(res.content)}`);
}

/** Sequential calls: per-call latency percentiles in ms. */
export async function latency(
  client: Client,
  iterations: number,
  warmup: number,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < warmup; i++) await echo(client);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await echo(client);
    samples.push(performance.now() - t);
  }
  return percentiles(samples);
}

/** `calls` calls with `concurrency` in flight at a time: calls per second. */
export async function throughput(client: Client, calls: number, concurrency: number): Promise<number> {
  let issued = 0;
  const t = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < calls) {
      issued++;
      await echo(client);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return calls / ((performance.now() - t) / 1000);
}

function figures(
  direct: { p50: number; p99: number },
  proxied: { p50: number; p99: number },
): LatencyFigures {
  return {
    direct_p50_ms: round(direct.p50),
    proxied_p50_ms: round(proxied.p50),
    direct_p99_ms: round(direct.p99),
    proxied_p99_ms: round(proxied.p99),
    added_p50_ms: round(proxied.p50 - direct.p50),
  };
}

/**
 * Added latency of the runner versus a direct connection to the same server (server-everything `echo`),
 * over stdio and Streamable HTTP, and calls per second at concurrency 1 and 32 over stdio. Every variant
 * gets fresh processes; direct and proxied run in the same process, one after the other. The runner uses
 * its default layers and an audit chain that fsyncs each decision (the default); rate limits are raised out of the way.
 */
export async function runProxyBench(options: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const iterations = options.iterations ?? 400;
  const warmup = options.warmup ?? 50;
  const calls = options.throughputCalls ?? 1000;
  const { cli, everything } = benchPaths();
  const durability = options.durability ?? 'fsync';
  const { config } = benchConfig(durability);

  const stdioDirect = (): Transport =>
    new StdioClientTransport({ command: process.execPath, args: [everything, 'stdio'], stderr: 'ignore' });
  const stdioProxied = (): Transport =>
    new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'proxy', '--config', config, '--', process.execPath, everything, 'stdio'],
      stderr: 'ignore',
    });

  async function withClient<T>(make: () => Transport, use: (c: Client) => Promise<T>): Promise<T> {
    const client = await connect(make());
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  const stdioD = await withClient(stdioDirect, (c) => latency(c, iterations, warmup));
  const stdioP = await withClient(stdioProxied, (c) => latency(c, iterations, warmup));

  const upstream = await everythingHttp(everything);
  let httpD: { p50: number; p99: number };
  let httpP: { p50: number; p99: number };
  try {
    httpD = await withClient(
      () => new StreamableHTTPClientTransport(new URL(upstream.url)),
      (c) => latency(c, iterations, warmup),
    );
    const proxy = await proxyHttp(cli, config, upstream.url);
    try {
      httpP = await withClient(
        () => new StreamableHTTPClientTransport(new URL(proxy.url)),
        (c) => latency(c, iterations, warmup),
      );
    } finally {
      await proxy.stop();
    }
  } finally {
    await upstream.stop();
  }

  const run = (make: () => Transport, concurrency: number): Promise<number> =>
    withClient(make, async (c) => {
      for (let i = 0; i < warmup; i++) await echo(c);
      return throughput(c, calls, concurrency);
    });
  const directC1 = await run(stdioDirect, 1);
  const proxiedC1 = await run(stdioProxied, 1);
  const directC32 = await run(stdioDirect, 32);
  const proxiedC32 = await run(stdioProxied, 32);

  return {
    stdio: figures(stdioD, stdioP),
    http: figures(httpD, httpP),
    throughput: {
      transport: 'stdio',
      c1_per_s: round(proxiedC1, 1),
      c32_per_s: round(proxiedC32, 1),
      direct_c1_per_s: round(directC1, 1),
      direct_c32_per_s: round(directC32, 1),
    },
    setup: {
      tool: 'server-everything echo',
      iterations,
      warmup,
      throughput_calls: calls,
      audit: durability,
      node: process.version,
    },
  };
}
