import { createTierTable, type ToolCall } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, gateSettingsOf, PolicyErrorCode } from '../src/index.js';
import { callOf, policyOf, problems } from './helpers.js';

const block = (head: string, body = '  require tier privileged'): string =>
  `default allow\ntool ${head}\n${body}\nend\n`;

describe('tool class blocks', () => {
  it('compiles `tool class NAME` to a rule for every tool of that class', () => {
    const policy = policyOf(block('class moves-money', '  require tier privileged\n  probe threshold 0.2'));
    expect(policy.settings.tools).toEqual([
      { match: '*', classes: ['moves-money'], tier: 'privileged', probe: { threshold: 0.2 } },
    ]);
  });

  it('compiles a class list, once each, and keeps a server', () => {
    const policy = policyOf(block('class [moves-money, deletes, moves-money] server "bank"'));
    expect(policy.settings.tools).toEqual([
      { match: '*', server: 'bank', classes: ['moves-money', 'deletes'], tier: 'privileged' },
    ]);
  });

  it('reports an unknown class at file:line:col with a suggestion', () => {
    const found = problems(block('class [deletes, move-money]'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: PolicyErrorCode.UnknownClass,
      file: 'p.policy',
      line: 2,
      col: 22,
      severity: 'error',
    });
    expect(found[0]?.message).toMatch(
      /unknown capability class 'move-money' \(did you mean 'moves-money'\?\)/,
    );
  });

  it('reports a class block without a class, or with an unclosed list', () => {
    expect(problems(block('class')).map((d) => d.code)).toEqual([PolicyErrorCode.UnexpectedToken]);
    expect(problems(block('class [deletes')).map((d) => d.code)).toEqual([PolicyErrorCode.UnexpectedToken]);
    expect(problems(block('class []')).map((d) => d.code)).toEqual([PolicyErrorCode.UnexpectedToken]);
  });

  it('applies a class block to the tools of that class whatever their names', () => {
    const settings = policyOf(block('class changes-access')).settings;
    const table = createTierTable(settings);
    const tier = (call: ToolCall) => {
      const r = table.resolve(call);
      return r.ok ? r.fact.requiredTier : r.code;
    };
    expect(tier({ ...callOf('grant_guest'), capabilities: ['changes-access'] })).toBe('privileged');
    expect(tier(callOf('update_password'))).toBe('privileged');
    expect(tier(callOf('read_file'))).toBe('standard');
  });
});

describe('settings written over class blocks', () => {
  const policy = policyOf(block('class [moves-money, deletes] server "bank"'));

  it('merges a rule with the same classes, in any order, and server into the class rule', () => {
    const merged = gateSettingsOf(policy, {
      tools: [{ match: '*', server: 'bank', classes: ['deletes', 'moves-money'], tier: 'trusted' }],
    });
    expect(merged.tools).toHaveLength(1);
    expect(merged.tools[0]).toMatchObject({ match: '*', server: 'bank', tier: 'trusted' });
    expect(new Set(merged.tools[0]?.classes)).toEqual(new Set(['moves-money', 'deletes']));
  });

  it('adds a rule with other classes, or none, after the policy rules', () => {
    const merged = gateSettingsOf(policy, {
      tools: [
        { match: '*', server: 'bank', classes: ['deletes'], tier: 'trusted' },
        { match: '*', server: 'bank', tier: 'trusted' },
      ],
    });
    expect(merged.tools.map((t) => t.classes)).toEqual([['moves-money', 'deletes'], ['deletes'], undefined]);
    expect(merged.tools[0]?.tier).toBe('privileged');
  });

  it('rejects an unknown class in overrides with invalid_config', () => {
    expect(() => gateSettingsOf(policy, { tools: [{ match: '*', classes: ['wires-money'] }] })).toThrow(
      /tools\.0\.classes\.0/,
    );
  });
});

describe('the default constitution speaks in classes', () => {
  const constitution = defaultPolicy();
  const table = createTierTable(constitution.settings);
  const fact = (name: string) => {
    const r = table.resolve(callOf(name, {}, 'trusted'));
    if (!r.ok) throw new Error(r.detail);
    return r.fact;
  };

  it.each([
    'create_payment',
    'stripe/payment_create',
    'Stripe.PaymentCreate',
    'transfer_funds',
    'create_transfer',
    'create_refund',
    'issue_refund',
    'send_money',
  ])('gives %j, a tool that moves money, the payment settings', (name) => {
    const f = fact(name);
    expect(f).toMatchObject({ requiredTier: 'trusted', source: 'rule' });
    expect(f.profile.probe).toMatchObject({ enabled: true, threshold: 0.3 });
    expect(f.profile.rateLimit.buckets.find((b) => b.scope === 'tool')).toMatchObject({
      capacity: 5,
      refillPerSec: 1 / 60,
    });
  });

  it.each(['delete_file', 'delete_branch', 'DeleteEvent', 'drop_table'])(
    'gives %j, a tool that deletes, the deletion threshold',
    (name) => {
      expect(fact(name).profile.probe.threshold).toBe(0.35);
    },
  );

  it('no longer treats a tool that only reads payments as one that makes them', () => {
    expect(fact('list_payments')).toMatchObject({ requiredTier: 'standard', source: 'annotations' });
  });

  it('refuses a standard principal a money-moving tool', () => {
    const r = table.resolve(callOf('send_money', {}, 'standard'));
    expect(r.ok && r.fact.principalRank < r.fact.requiredRank).toBe(true);
  });
});
