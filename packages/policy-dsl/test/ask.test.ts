import { allow, createPipeline, defineLayer, deny } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createPolicyLayer, PolicyErrorCode, parsePolicy } from '../src/index.js';
import { callOf, policyOf, problems } from './helpers.js';

const source = `default allow
deny no-shell
  when tool == "shell"
  reason "No shells."
end
ask big-payments
  when tool == "pay" and arg.amount > 100
  reason "Large payments need a person."
  question "Pay more than 100?"
end
ask any-payment
  when tool == "pay"
  reason "Payments are checked."
end
ask shell-too
  when tool == "shell"
  reason "Never decides: the deny wins."
end
allow small-reads
  when tool in ["read", "pay"]
  reason "Routine."
end
`;

describe('ask rules parse', () => {
  it('read as rules with the effect ask and an optional question', () => {
    const parsed = parsePolicy(source, 'a.policy');
    expect(parsed.ok && parsed.value.statements[2]).toMatchObject({
      kind: 'rule',
      effect: 'ask',
      name: 'big-payments',
      reason: 'Large payments need a person.',
      question: 'Pay more than 100?',
    });
    expect(parsed.ok && parsed.value.statements[3]).not.toHaveProperty('question');
  });

  it('reject a question on an allow or deny rule', () => {
    const d = problems('default allow\ndeny r\n  when tool == "x"\n  reason "x"\n  question "y?"\nend\n');
    expect(d[0]).toMatchObject({ code: PolicyErrorCode.UnknownField, line: 5, message: /only ask rules/ });
  });

  it('reject two questions, a missing reason, and ask as a default', () => {
    expect(
      problems('default allow\nask r\n  reason "x"\n  question "a"\n  question "b"\nend\n')[0],
    ).toMatchObject({
      code: PolicyErrorCode.Duplicate,
    });
    expect(problems('default allow\nask r\n  question "a"\nend\n')[0]).toMatchObject({
      code: PolicyErrorCode.Missing,
    });
    expect(problems('default ask\n')[0]).toMatchObject({ code: PolicyErrorCode.UnexpectedToken });
  });

  it('share one namespace of names with allow and deny rules', () => {
    const d = problems(
      'default allow\ndeny r\n  reason "x"\nend\nask r\n  when tool == "a"\n  reason "y"\nend\n',
    );
    expect(d.map((x) => x.code)).toContain(PolicyErrorCode.Duplicate);
  });
});

describe('ask precedence', () => {
  const policy = policyOf(source);

  it('lets any matching deny win over a matching ask', () => {
    expect(policy.match(callOf('shell'))).toMatchObject({ decision: 'deny', rule: 'no-shell' });
  });

  it('names the first matching ask in file order, over any allow', () => {
    expect(policy.match(callOf('pay', { amount: 500 }))).toEqual({
      decision: 'ask',
      rule: 'big-payments',
      reason: 'Large payments need a person.',
      question: 'Pay more than 100?',
    });
    expect(policy.match(callOf('pay', { amount: 5 }))).toMatchObject({
      decision: 'ask',
      rule: 'any-payment',
      question: 'Payments are checked.',
    });
  });

  it('leaves the call to allow rules and the default when no ask matches', () => {
    expect(policy.match(callOf('read'))).toMatchObject({ decision: 'allow', rule: 'small-reads' });
    expect(policy.match(callOf('write'))).toMatchObject({ decision: 'default' });
  });

  it('reads array arguments the way a deny does: any element asks', () => {
    const p = policyOf('default allow\nask r\n  when arg.to == "x"\n  reason "x"\nend\n');
    expect(p.match(callOf('send', { to: ['a', 'x'] })).decision).toBe('ask');
  });

  it('lists ask rules in explain, the decider first among them', () => {
    const { match, matched } = policy.explain(callOf('pay', { amount: 500 }));
    expect(match.rule).toBe('big-payments');
    expect(matched.map((r) => [r.name, r.effect])).toEqual([
      ['big-payments', 'ask'],
      ['any-payment', 'ask'],
      ['small-reads', 'allow'],
    ]);
  });
});

describe('unreachable ask rules', () => {
  it('are reported when a deny matches every call they match', () => {
    const d = policyOf(source).warnings;
    expect(d).toEqual([
      expect.objectContaining({
        code: PolicyErrorCode.UnreachableRule,
        line: 15,
        message: expect.stringMatching(
          /'shell-too' can never decide: deny rule 'no-shell'.*deny wins over ask/,
        ),
      }),
    ]);
  });

  it('are reported behind an earlier ask, and an allow behind an ask is too', () => {
    const d = problems(
      'default allow\nask a\n  when tool == "x"\n  reason "r"\nend\nask b\n  when tool == "x" and arg.n > 1\n  reason "r"\nend\nallow c\n  when tool == "x"\n  reason "r"\nend\n',
    );
    expect(d.map((x) => [x.line, x.code])).toEqual([
      [6, PolicyErrorCode.UnreachableRule],
      [10, PolicyErrorCode.UnreachableRule],
    ]);
    expect(d[1]?.message).toMatch(/ask wins over allow/);
  });
});

describe('the policy layer and ask rules', () => {
  const policy = policyOf(source);

  it('returns an ask with code policy_ask, the question, and the rule and policy hash in its data', async () => {
    const { decision } = await createPipeline([createPolicyLayer(policy)]).evaluate(
      callOf('pay', { amount: 500 }),
    );
    expect(decision).toEqual({
      outcome: 'ask',
      question: 'Pay more than 100?',
      reasons: [
        {
          layer: 'policy',
          code: 'policy_ask',
          detail: 'big-payments: Large payments need a person.',
          data: { policy: policy.hash, rule: 'big-payments', question: 'Pay more than 100?' },
        },
      ],
    });
  });

  it('lets a later layer deny: deny outranks ask', async () => {
    const wall = defineLayer('wall', async () => deny('wall', 'no'));
    const { decision } = await createPipeline([createPolicyLayer(policy), wall]).evaluate(
      callOf('pay', { amount: 500 }),
    );
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((r) => r.code)).toEqual(['no', 'policy_ask']);
  });

  it("keeps a later layer's replaced arguments and question", async () => {
    const redact = defineLayer('redact', async () => ({
      ...allow(),
      arguments: { amount: 500, memo: '[x]' },
    }));
    const asker = defineLayer('asker', async () => ({
      outcome: 'ask' as const,
      reasons: [{ layer: 'asker', code: 'q' }],
      question: 'Really?',
    }));
    const a = await createPipeline([createPolicyLayer(policy), redact]).evaluate(
      callOf('pay', { amount: 500 }),
    );
    expect(a.decision).toMatchObject({ outcome: 'ask', arguments: { memo: '[x]' } });
    const b = await createPipeline([createPolicyLayer(policy), asker]).evaluate(
      callOf('pay', { amount: 500 }),
    );
    expect(b.decision).toMatchObject({ outcome: 'ask', question: 'Pay more than 100?\nReally?' });
  });
});
