import { createPipeline, defineLayer, deny } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createPolicyLayer, POLICY_LAYER, type PolicyHolder } from '../src/index.js';
import { callOf, policyOf } from './helpers.js';

const source = `default allow
deny no-shell
  when tool == "shell"
  reason "No shells here."
end
allow reads
  when tool == "read_file"
  reason "Reads are routine."
end
`;

describe('the policy layer', () => {
  const policy = policyOf(source);
  const pipeline = createPipeline([createPolicyLayer(policy)]);

  it('is named policy', () => {
    expect(createPolicyLayer(policy).name).toBe(POLICY_LAYER);
  });

  it('denies with policy_deny, naming the rule, its reason and the policy hash', async () => {
    const { decision } = await pipeline.evaluate(callOf('shell', { cmd: 'ls' }));
    expect(decision).toEqual({
      outcome: 'deny',
      reasons: [
        {
          layer: 'policy',
          code: 'policy_deny',
          detail: 'no-shell: No shells here.',
          data: { policy: policy.hash, rule: 'no-shell' },
        },
      ],
    });
  });

  it('passes an allowed call on and annotates the decision with the rule and the policy hash', async () => {
    const { decision } = await pipeline.evaluate(callOf('read_file', { path: '/a' }));
    expect(decision).toEqual({
      outcome: 'allow',
      reasons: [
        {
          layer: 'policy',
          code: 'policy_allow',
          detail: 'reads: Reads are routine.',
          data: { policy: policy.hash, rule: 'reads' },
        },
      ],
    });
    const other = await pipeline.evaluate(callOf('write_file'));
    expect(other.decision.reasons[0]).toMatchObject({
      code: 'policy_default_allow',
      data: { rule: 'default' },
    });
  });

  it('annotates a deny from a later layer too, so the audit still names the policy', async () => {
    const later = defineLayer('probe', async () => deny('probe', 'unsafe'));
    const p = createPipeline([createPolicyLayer(policy), later]);
    const { decision } = await p.evaluate(callOf('read_file'));
    expect(decision.outcome).toBe('deny');
    expect(decision.reasons.map((r) => r.code)).toEqual(['unsafe', 'policy_allow']);
  });

  it('never calls the next layer when it denies', async () => {
    let reached = false;
    const spy = defineLayer('after', async (_ctx, next) => {
      reached = true;
      return next();
    });
    await createPipeline([createPolicyLayer(policy), spy]).evaluate(callOf('shell'));
    expect(reached).toBe(false);
  });

  it('denies under default deny when no rule matches', async () => {
    const strict = policyOf('default deny\n');
    const { decision } = await createPipeline([createPolicyLayer(strict)]).evaluate(callOf('anything'));
    expect(decision).toMatchObject({
      outcome: 'deny',
      reasons: [{ code: 'policy_deny', data: { rule: 'default' } }],
    });
  });

  it('fails closed on arguments it cannot read', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['me'] = cyclic;
    const scanning = policyOf(
      'default allow\ndeny keys\n  when any string contains "KEY"\n  reason "no keys"\nend\n',
    );
    const { decision } = await createPipeline([createPolicyLayer(scanning)]).evaluate(
      callOf('write', cyclic),
    );
    expect(decision).toMatchObject({
      outcome: 'deny',
      failure: true,
      reasons: [{ code: 'policy_unmatchable' }],
    });
  });

  it('reads the holder once per call, so a swap takes effect on the next call', async () => {
    const holder: { current: typeof policy } = { current: policy };
    const p = createPipeline([createPolicyLayer(holder as PolicyHolder)]);
    expect((await p.evaluate(callOf('shell'))).decision.outcome).toBe('deny');
    holder.current = policyOf('default allow\n');
    expect((await p.evaluate(callOf('shell'))).decision.outcome).toBe('allow');
  });
});
