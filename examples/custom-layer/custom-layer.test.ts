import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createPipeline, type ToolCall } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { runCustomLayerExample, spendLimit } from './main.js';

const transfer = (amountCents: unknown, tier: string): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'transfer', inputSchema: { type: 'object' } },
  arguments: { to: 'a', amountCents },
  principal: { id: 'p', tier },
});

describe('the custom-layer example', () => {
  it('lets the small transfer through and stops the large one before the server', async () => {
    const report = await runCustomLayerExample();
    expect(report.transfers).toEqual([2500]);
    expect(report.large).toEqual({
      denied: true,
      layer: 'spend-limit',
      code: 'over_limit',
      reason: "transfers above 100000 cents need a higher tier than 'trusted'",
    });
  });

  it('decides by tier, denies amounts it cannot read, and notes the limit on allows', async () => {
    const p = createPipeline([spendLimit]);
    expect((await p.evaluate(transfer(50_000, 'trusted'))).decision).toMatchObject({
      outcome: 'allow',
      reasons: [{ layer: 'spend-limit', code: 'within_limit', data: { amount: 50_000, limit: 100_000 } }],
    });
    expect((await p.evaluate(transfer(1, 'untrusted'))).decision.outcome).toBe('deny');
    expect((await p.evaluate(transfer('lots', 'privileged'))).decision.outcome).toBe('deny');
  });

  it('runs as a script and reports ok', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'examples/custom-layer/main.ts'],
      { cwd: new URL('../..', import.meta.url).pathname },
    );
    expect(stdout).toContain('custom-layer example: ok');
  });
});
