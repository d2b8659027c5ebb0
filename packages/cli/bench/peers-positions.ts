import { round } from '@governed-mcp/core/bench';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connect, echo, latency, throughput } from './proxy.js';

/** How many calls each figure takes. */
export interface CallCounts {
  readonly iterations: number;
  readonly warmup: number;
  readonly throughputCalls: number;
}

/** A way to reach the echo server: opens a fresh client (a fresh process for stdio ones). */
export interface Variant {
  readonly name: string;
  open(): Promise<{ client: Client; close(): Promise<void> }>;
}

/** One variant's figures in one round. */
export interface RoundFigures {
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly cps: number;
  readonly concurrency: number;
}

/** A client that spawns `node args…` and speaks stdio to it. */
export function stdioVariant(name: string, args: readonly string[]): Variant {
  return {
    name,
    async open() {
      const client = await connect(
        new StdioClientTransport({ command: process.execPath, args: [...args], stderr: 'ignore' }),
      );
      return { client, close: () => client.close() };
    },
  };
}

/** A Streamable HTTP client of `url` that ends its session on close (a stateful peer frees its server). */
export function httpVariant(name: string, url: () => string): Variant {
  return {
    name,
    async open() {
      const transport = new StreamableHTTPClientTransport(new URL(url()));
      const client = await connect(transport);
      return {
        client,
        async close() {
          await transport.terminateSession().catch(() => undefined);
          await client.close();
        },
      };
    },
  };
}

/** Calls per second at concurrency 32, or at 8 on a fresh client when the variant fails at 32. */
async function throughputWithFallback(
  variant: Variant,
  first: { client: Client; close(): Promise<void> },
  calls: number,
): Promise<{ cps: number; concurrency: number }> {
  try {
    return { cps: await throughput(first.client, calls, 32), concurrency: 32 };
  } catch {
    await first.close().catch(() => undefined);
    const again = await variant.open();
    try {
      return { cps: await throughput(again.client, calls, 8), concurrency: 8 };
    } finally {
      await again.close();
    }
  }
}

/**
 * One round over `variants`, interleaved: each gets a fresh client, its sequential latency and then its
 * throughput. The order rotates with `roundIndex` so no variant always goes first.
 */
export async function latencyRound(
  variants: readonly Variant[],
  counts: CallCounts,
  roundIndex: number,
): Promise<Record<string, RoundFigures>> {
  const out: Record<string, RoundFigures> = {};
  for (let k = 0; k < variants.length; k++) {
    const variant = variants[(k + roundIndex) % variants.length]!;
    const opened = await variant.open();
    let closed = false;
    try {
      const lat = await latency(opened.client, counts.iterations, counts.warmup);
      const tp = await throughputWithFallback(
        variant,
        {
          client: opened.client,
          close: async () => {
            closed = true;
            await opened.close();
          },
        },
        counts.throughputCalls,
      );
      out[variant.name] = { p50_ms: lat.p50, p99_ms: lat.p99, cps: tp.cps, concurrency: tp.concurrency };
    } finally {
      if (!closed) await opened.close();
    }
  }
  return out;
}

/** Milliseconds from spawning to the answer of the first call (spawn, initialize, one echo), fresh process. */
export async function coldStart(variant: Variant): Promise<number> {
  const t = performance.now();
  const opened = await variant.open();
  try {
    await echo(opened.client);
    return performance.now() - t;
  } finally {
    await opened.close();
  }
}

/** Median, minimum and maximum of a figure across rounds. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The median (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The spread of per-round values, rounded for the JSON. */
export function spread(xs: readonly number[], digits = 3): Spread {
  return {
    median: round(median(xs), digits),
    min: round(Math.min(...xs), digits),
    max: round(Math.max(...xs), digits),
  };
}

/** A JSON-friendly key for a peer name (`mcp-proxy` becomes `mcp_proxy`). */
export function key(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '_');
}

/**
 * The figures of one position across rounds: `<variant>_p50_ms`, `_p99_ms`, `_cps` spreads and the
 * concurrency each ran at, plus `ratios`: the median over rounds of governed/peer for p50 and calls/s.
 */
export function summarise(
  rounds: readonly Record<string, RoundFigures>[],
  governed: string,
): Record<string, unknown> {
  const names = Object.keys(rounds[0] ?? {});
  const out: Record<string, unknown> = {};
  const concurrency: Record<string, number> = {};
  for (const name of names) {
    const k = key(name);
    out[`${k}_p50_ms`] = spread(rounds.map((r) => r[name]!.p50_ms));
    out[`${k}_p99_ms`] = spread(rounds.map((r) => r[name]!.p99_ms));
    out[`${k}_cps`] = spread(
      rounds.map((r) => r[name]!.cps),
      1,
    );
    concurrency[k] = Math.min(...rounds.map((r) => r[name]!.concurrency));
  }
  const ratios: Record<string, number> = {};
  for (const name of names.filter((n) => n !== governed)) {
    const k = key(name);
    ratios[`${governed}_vs_${k}_p50`] = round(
      median(rounds.map((r) => r[governed]!.p50_ms / r[name]!.p50_ms)),
    );
    ratios[`${governed}_vs_${k}_cps`] = round(median(rounds.map((r) => r[governed]!.cps / r[name]!.cps)));
  }
  return { ...out, concurrency, ratios };
}
