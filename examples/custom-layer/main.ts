// A layer written by a user: a spending limit that depends on the caller's trust tier, added to the
// pipeline next to the built-in layers and enforced at the MCP message layer.
// Run: node --conditions=@governed-mcp/source --import tsx examples/custom-layer/main.ts
import { pathToFileURL } from 'node:url';
import {
  createPipeline,
  createSchemaLayer,
  createTierLayer,
  DEFAULT_SETTINGS,
  defineLayer,
  deny,
  type Layer,
  TIER_FACT,
  withReason,
} from '@governed-mcp/core';
import { connectGoverned } from '@governed-mcp/middleware-mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Largest single transfer per principal tier, in cents. Tiers not listed may not transfer at all. */
const LIMITS: Readonly<Record<string, number>> = {
  standard: 10_000,
  trusted: 100_000,
  privileged: 1_000_000,
};

/**
 * The user's layer. It runs after the tier layer, so it can read the tier fact that layer recorded; it
 * denies with its own code and evidence, or passes the call on and notes the limit it applied.
 */
export const spendLimit: Layer = defineLayer('spend-limit', async (ctx, next) => {
  if (ctx.call.tool.name !== 'transfer') return next();
  const tier = ctx.get(TIER_FACT)?.principalTier ?? ctx.call.principal.tier;
  const limit = LIMITS[tier] ?? 0;
  const amount = Number(ctx.call.arguments.amountCents);
  if (!(amount <= limit)) {
    return deny(
      'spend-limit',
      'over_limit',
      `transfers above ${limit} cents need a higher tier than '${tier}'`,
      {
        amount,
        limit,
      },
    );
  }
  return withReason(await next(), { layer: 'spend-limit', code: 'within_limit', data: { amount, limit } });
});

/** What the example observed. */
export interface CustomLayerReport {
  readonly layers: string[];
  readonly small: string;
  readonly large: unknown;
  readonly transfers: number[];
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`custom-layer example: ${what}`);
}

/** Runs the example and checks its own output. */
export async function runCustomLayerExample(): Promise<CustomLayerReport> {
  const transfers: number[] = [];
  const server = new McpServer({ name: 'bank', version: '1.0.0' });
  server.registerTool(
    'transfer',
    {
      description: 'Transfers money to an account.',
      inputSchema: { to: z.string(), amountCents: z.number().int().positive() },
    },
    async ({ amountCents }) => {
      transfers.push(amountCents);
      return { content: [{ type: 'text', text: `sent ${amountCents}` }] };
    },
  );

  // The built-in layers, then the user's layer inside them (it reads the fact the tier layer records).
  // `with()` returns a new pipeline and leaves `base` as it was.
  const base = createPipeline([createTierLayer(DEFAULT_SETTINGS), createSchemaLayer()]);
  const pipeline = base.with(spendLimit, { after: 'schema' });

  // A trusted caller: tools that move money need the trusted tier by default (their capability class).
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(server, serverSide, {
    gate: pipeline,
    peer: { principal: { id: 'agent-3', tier: 'trusted' } },
  });
  const client = new Client({ name: 'example-agent', version: '1.0.0' });
  await client.connect(clientSide);
  const small = await client.callTool({ name: 'transfer', arguments: { to: 'acct-1', amountCents: 2_500 } });
  const large = await client.callTool({
    name: 'transfer',
    arguments: { to: 'acct-1', amountCents: 500_000 },
  });
  await client.close();
  await mediator.close();

  const report: CustomLayerReport = {
    layers: pipeline.layers.map((l) => l.name),
    small: (small.content as { text: string }[])[0]?.text ?? '',
    large: (large.structuredContent as { governedMcp?: unknown } | undefined)?.governedMcp,
    transfers,
  };
  check(report.layers.join() === 'tier,schema,spend-limit', `unexpected layer order ${report.layers.join()}`);
  check(report.small === 'sent 2500', 'the small transfer should go through');
  check(
    large.isError === true && (report.large as { code?: string })?.code === 'over_limit',
    'the large one must be denied',
  );
  check(transfers.join() === '2500', `only the small transfer may reach the server, got ${transfers.join()}`);
  return report;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runCustomLayerExample(), null, 2));
  console.log('custom-layer example: ok');
}
