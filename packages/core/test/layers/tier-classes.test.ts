import { describe, expect, it } from 'vitest';
import {
  type CapabilityClass,
  CLASS_RANKS,
  createPipeline,
  createTierLayer,
  createTierTable,
  DEFAULT_SETTINGS,
  ErrorCode,
  GovernedError,
  LayerCode,
  parseSettings,
  type ToolCall,
  type ToolRule,
} from '../../src/index.js';
import { makeCall } from './call-builder.js';

const settingsWith = (tools: ToolRule[]) => parseSettings({ ...DEFAULT_SETTINGS, tools });

/** A call to `name` from a principal of `tier`, with the classes the mediator inferred (or none given). */
function callTo(name: string, classes?: readonly CapabilityClass[], tier = 'trusted'): ToolCall {
  const call = makeCall({}, { tool: { name }, principal: { tier } });
  return classes === undefined ? call : { ...call, capabilities: classes };
}

function resolve(tools: ToolRule[], call: ToolCall) {
  const r = createTierTable(settingsWith(tools)).resolve(call);
  if (!r.ok) throw new Error(r.detail);
  return r.fact;
}

describe('tool rules with capability classes', () => {
  const money: ToolRule = {
    match: '*',
    classes: ['moves-money'],
    tier: 'privileged',
    rateLimit: { perPrincipalTool: { capacity: 5, refillPerSec: 1 / 60 } },
  };

  it('applies a class rule to a tool of that class and not to a tool without it', () => {
    expect(resolve([money], callTo('wire', ['moves-money']))).toMatchObject({
      requiredTier: 'privileged',
      source: 'rule',
    });
    expect(resolve([money], callTo('wire', ['reads-sensitive'])).requiredTier).not.toBe('privileged');
    expect(resolve([money], callTo('wire', [])).requiredTier).toBe('standard');
  });

  it('applies a rule naming several classes to a tool with any one of them', () => {
    const rule: ToolRule = { match: '*', classes: ['deletes', 'executes-code'], tier: 'privileged' };
    expect(resolve([rule], callTo('x', ['executes-code'])).requiredTier).toBe('privileged');
    expect(resolve([rule], callTo('x', ['sends-outside', 'deletes'])).requiredTier).toBe('privileged');
    expect(resolve([rule], callTo('x', ['sends-outside'])).requiredTier).toBe('standard');
  });

  it('classifies the tool definition when the call carries no classes', () => {
    expect(resolve([money], callTo('send_money')).requiredTier).toBe('privileged');
    expect(resolve([money], callTo('read_file')).requiredTier).toBe('standard');
  });

  it('applies a rule with a glob and classes only when both hold', () => {
    const rule: ToolRule = { match: 'stripe_*', classes: ['moves-money'], tier: 'privileged' };
    expect(resolve([rule], callTo('stripe_refund', ['moves-money'])).requiredTier).toBe('privileged');
    expect(resolve([rule], callTo('stripe_list', ['reads-sensitive'])).requiredTier).toBe('standard');
    expect(resolve([rule], callTo('bank_refund', ['moves-money'])).requiredTier).not.toBe('privileged');
  });

  it('reads class rules in written order, field by field, like glob rules', () => {
    const glob: ToolRule = { match: 'pay_*', tier: 'standard', probe: { threshold: 0.2 } };
    const classFirst = resolve([money, glob], callTo('pay_bill', ['moves-money']));
    expect(classFirst.requiredTier).toBe('privileged');
    // The class rule sets no probe field: the glob rule after it still decides the threshold.
    expect(classFirst.profile.probe.threshold).toBe(0.2);
    expect(resolve([glob, money], callTo('pay_bill', ['moves-money'])).requiredTier).toBe('standard');
  });

  it("gives a class rule's per-tool bucket to the tools of that class", () => {
    const plan = resolve([money], callTo('wire', ['moves-money'])).profile.rateLimit;
    expect(plan.buckets.find((b) => b.scope === 'tool')).toMatchObject({ capacity: 5 });
    const other = resolve([money], callTo('wire', ['sends-outside'])).profile.rateLimit;
    expect(other.buckets.find((b) => b.scope === 'tool')?.capacity).not.toBe(5);
  });

  it('resolves one tool definition by the classes each call carries', () => {
    const table = createTierTable(settingsWith([money]));
    const base = callTo('wire');
    const tier = (classes: readonly CapabilityClass[]) => {
      const r = table.resolve({ ...base, capabilities: classes });
      return r.ok ? r.fact.requiredTier : r.code;
    };
    expect(tier(['moves-money'])).toBe('privileged');
    expect(tier([])).toBe('standard');
    expect(tier(['moves-money'])).toBe('privileged');
  });

  it('rejects an unknown or empty class list with invalid_config', () => {
    for (const classes of [['moves-mony'], []]) {
      let thrown: unknown;
      try {
        parseSettings({ ...DEFAULT_SETTINGS, tools: [{ match: '*', classes, tier: 'trusted' }] });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(GovernedError);
      expect((thrown as GovernedError).code).toBe(ErrorCode.InvalidConfig);
    }
  });
});

describe('tier defaults from capability classes', () => {
  it('requires trusted for tools that move money, change access or delete', () => {
    expect(CLASS_RANKS).toEqual({ 'moves-money': 2, 'changes-access': 2, deletes: 2 });
    for (const c of ['moves-money', 'changes-access', 'deletes'] as const) {
      expect(resolve([], callTo('x', [c]))).toMatchObject({ requiredTier: 'trusted', source: 'classes' });
    }
  });

  it('adds nothing for the other classes', () => {
    for (const c of ['sends-outside', 'executes-code', 'reads-sensitive', 'reads-untrusted'] as const) {
      expect(resolve([], callTo('x', [c]))).toMatchObject({
        requiredTier: 'standard',
        source: 'annotations',
      });
    }
  });

  it('is not lowered by a read-only annotation', () => {
    const call = {
      ...makeCall({}, { tool: { name: 'x', annotations: { readOnlyHint: true } } }),
      capabilities: ['moves-money'] as const,
    };
    expect(resolve([], call)).toMatchObject({ requiredTier: 'trusted', source: 'classes' });
    expect(resolve([], { ...call, capabilities: [] })).toMatchObject({ requiredTier: 'untrusted' });
  });

  it('yields to a rule that names a tier', () => {
    const rule: ToolRule = { match: '*', classes: ['moves-money'], tier: 'standard' };
    expect(resolve([rule], callTo('x', ['moves-money']))).toMatchObject({
      requiredTier: 'standard',
      source: 'rule',
    });
  });

  it('denies a standard principal a money-moving tool, saying where the requirement came from', async () => {
    const pipeline = createPipeline([createTierLayer(DEFAULT_SETTINGS)]);
    const { decision } = await pipeline.evaluate(callTo('send_money', undefined, 'standard'));
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons[0]).toMatchObject({
      code: LayerCode.TierInsufficient,
      data: { requiredTier: 'trusted', source: 'classes' },
    });
    expect((await pipeline.evaluate(callTo('send_money'))).decision.outcome).toBe('allow');
  });
});
