import { AuditChain, createGate, createMemorySink, createPipeline } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createPolicyLayer } from '../src/index.js';
import { callOf, policyOf } from './helpers.js';

describe('audit records of policy decisions', () => {
  it('name the policy hash and the deciding rule, for denies, allows and the default', async () => {
    const policy = policyOf(`default allow
deny no-shell
  when tool == "shell"
  reason "No shells."
end
allow reads
  when tool == "read_file"
  reason "Reads are routine."
end
`);
    const sink = createMemorySink();
    const audit = new AuditChain(sink, { durability: 'none' });
    const gate = createGate({ pipeline: createPipeline([createPolicyLayer(policy)]), audit });
    await gate.check(callOf('shell', { cmd: 'ls' }));
    await gate.check(callOf('read_file', { path: '/a' }));
    await gate.check(callOf('write_file', { path: '/a' }));
    await audit.close();
    const records = sink.lines.map(
      (l) => JSON.parse(l) as { data: { decision: { outcome: string; reasons: unknown[] } } },
    );
    expect(records.map((r) => r.data.decision)).toEqual([
      {
        outcome: 'deny',
        reasons: [
          expect.objectContaining({ code: 'policy_deny', data: { policy: policy.hash, rule: 'no-shell' } }),
        ],
      },
      {
        outcome: 'allow',
        reasons: [
          expect.objectContaining({ code: 'policy_allow', data: { policy: policy.hash, rule: 'reads' } }),
        ],
      },
      {
        outcome: 'allow',
        reasons: [
          expect.objectContaining({
            code: 'policy_default_allow',
            data: { policy: policy.hash, rule: 'default' },
          }),
        ],
      },
    ]);
  });
});
