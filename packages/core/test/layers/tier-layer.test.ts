import { describe, expect, it } from 'vitest';
import {
  type CallContext,
  createPipeline,
  createTierLayer,
  createTierTable,
  DEFAULT_SETTINGS,
  defineLayer,
  LayerCode,
  parseSettings,
  TIER_FACT,
  type TierFact,
} from '../../src/index.js';
import { makeCall } from './call-builder.js';

function capture() {
  const seen: (TierFact | undefined)[] = [];
  const layer = defineLayer('spy', (ctx: CallContext, next) => {
    seen.push(ctx.get(TIER_FACT));
    return next();
  });
  return { seen, layer };
}

const settings = parseSettings({
  ...DEFAULT_SETTINGS,
  tools: [
    { match: 'shell_*', tier: 'privileged', prefilterBlock: ['reverse-shell'] },
    { match: 'deploy', server: 'prod', tier: 'trusted', probe: { threshold: 0.2 } },
    { match: '*', rateLimit: { perPrincipalTool: { capacity: 5, refillPerSec: 1 } } },
  ],
});

describe('tier layer', () => {
  it('derives the required tier from annotations when no rule names one', async () => {
    const { seen, layer } = capture();
    const pipeline = createPipeline([createTierLayer(settings), layer]);
    const untrusted = { principal: { tier: 'untrusted' } };
    const readOnly = makeCall(
      {},
      { ...untrusted, tool: { name: 'cat', annotations: { readOnlyHint: true } } },
    );
    expect((await pipeline.evaluate(readOnly)).decision.outcome).toBe('allow');
    expect(seen[0]).toMatchObject({
      requiredTier: 'untrusted',
      source: 'annotations',
      principalTier: 'untrusted',
    });

    const fetcher = makeCall(
      {},
      { ...untrusted, tool: { annotations: { readOnlyHint: true, openWorldHint: true } } },
    );
    expect((await pipeline.evaluate(fetcher)).decision.reasons[0]?.code).toBe(LayerCode.TierInsufficient);

    const destructive = makeCall({}, { tool: { name: 'rm', annotations: { destructiveHint: true } } });
    const d = (await pipeline.evaluate(destructive)).decision;
    expect(d.outcome).toBe('deny');
    expect(d.reasons[0]).toMatchObject({
      layer: 'tier',
      code: LayerCode.TierInsufficient,
      data: { requiredTier: 'trusted', principalTier: 'standard', source: 'annotations' },
    });
    expect(d.reasons[0]?.detail).toContain("requires tier 'trusted'");
  });

  it('lets a rule override what annotations claim (annotations are hints from the server)', async () => {
    const pipeline = createPipeline([createTierLayer(settings)]);
    const lying = makeCall(
      {},
      { principal: { tier: 'trusted' }, tool: { name: 'shell_exec', annotations: { readOnlyHint: true } } },
    );
    const d = (await pipeline.evaluate(lying)).decision;
    expect(d.reasons[0]).toMatchObject({
      code: LayerCode.TierInsufficient,
      data: { requiredTier: 'privileged' },
    });
    const admin = makeCall({}, { principal: { tier: 'privileged' }, tool: { name: 'shell_exec' } });
    expect((await pipeline.evaluate(admin)).decision.outcome).toBe('allow');
  });

  it('applies a server-scoped rule only on that server', async () => {
    const pipeline = createPipeline([createTierLayer(settings)]);
    const onProd = makeCall(
      {},
      { server: 'prod', tool: { name: 'deploy', annotations: { readOnlyHint: true } } },
    );
    const onDev = makeCall(
      {},
      { server: 'dev', tool: { name: 'deploy', annotations: { readOnlyHint: true } } },
    );
    expect((await pipeline.evaluate(onProd)).decision.outcome).toBe('deny');
    expect((await pipeline.evaluate(onDev)).decision.outcome).toBe('allow');
  });

  it('denies a principal whose tier is not in the table, even for the most harmless tool', async () => {
    const pipeline = createPipeline([createTierLayer(settings)]);
    for (const tier of ['root', '', 'PRIVILEGED', '__proto__', 'constructor']) {
      const call = makeCall({}, { principal: { tier }, tool: { annotations: { readOnlyHint: true } } });
      expect((await pipeline.evaluate(call)).decision.reasons[0]?.code).toBe(LayerCode.TierUnknown);
    }
  });

  it('records one strictness profile: the tool tier row with per-tool overrides', async () => {
    const { seen, layer } = capture();
    const pipeline = createPipeline([createTierLayer(settings), layer]);
    await pipeline.evaluate(makeCall({}, { principal: { tier: 'privileged' }, tool: { name: 'shell_run' } }));
    await pipeline.evaluate(
      makeCall({}, { server: 'prod', principal: { tier: 'trusted' }, tool: { name: 'deploy' } }),
    );
    const [shell, deploy] = seen;
    expect(shell?.profile.prefilterBlock).toEqual(['reverse-shell']);
    expect(shell?.profile.probe).toEqual(DEFAULT_SETTINGS.tiers[3]?.probe);
    expect(deploy?.profile.probe).toEqual({ enabled: true, alpha: 0.8, threshold: 0.2 });
    expect(deploy?.profile.prefilterBlock).toBe('all');
    const toolBucket = deploy?.profile.rateLimit.buckets.find((b) => b.scope === 'tool');
    expect(toolBucket).toMatchObject({ capacity: 5, refillPerSec: 1 });
    const principalBucket = deploy?.profile.rateLimit.buckets.find((b) => b.scope === 'principal');
    expect(principalBucket).toMatchObject(DEFAULT_SETTINGS.tiers[2]!.rateLimit.perPrincipal!);
  });

  it('reads rules top to bottom, field by field: the first rule that sets a field decides it', () => {
    const s = parseSettings({
      ...DEFAULT_SETTINGS,
      tools: [
        { match: 'db_*', prefilterBlock: 'none' },
        { match: 'db_drop*', tier: 'privileged', prefilterBlock: 'all' },
        { match: '*', tier: 'untrusted', probe: { alpha: 0.1 } },
      ],
    });
    const resolved = createTierTable(s).resolve(
      makeCall({}, { principal: { tier: 'privileged' }, tool: { name: 'db_drop_table' } }),
    );
    expect(resolved.ok && resolved.fact).toMatchObject({
      requiredTier: 'privileged',
      source: 'rule',
      profile: { prefilterBlock: 'none', probe: { alpha: 0.1, threshold: 0.3 } },
    });
  });

  it('works with a user-defined tier table and clamps annotation ranks to its top', async () => {
    const two = parseSettings({
      tiers: [
        {
          name: 'guest',
          prefilterBlock: 'all',
          probe: { enabled: false, alpha: 0, threshold: 0.5 },
          rateLimit: {},
        },
        {
          name: 'staff',
          prefilterBlock: 'none',
          probe: { enabled: false, alpha: 0, threshold: 0.5 },
          rateLimit: {},
        },
      ],
      tools: [],
      defaultPrincipal: { id: 'x', tier: 'guest' },
    });
    const pipeline = createPipeline([createTierLayer(two)]);
    const destructive = { tool: { annotations: { destructiveHint: true } } };
    expect(
      (await pipeline.evaluate(makeCall({}, { ...destructive, principal: { tier: 'staff' } }))).decision
        .outcome,
    ).toBe('allow');
    expect(
      (await pipeline.evaluate(makeCall({}, { ...destructive, principal: { tier: 'guest' } }))).decision
        .outcome,
    ).toBe('deny');
  });
});
