import { AuditChain, createGate, createMemorySink, createPipeline } from '@governed-mcp/core';
import { round, timeCalls } from '@governed-mcp/core/bench';
import { assembleLayers } from '@governed-mcp/middleware-mcp';
import { benchSettings as settings, writeFileCall as sizedCall } from './deterministic.js';

/** The 1 KB `write_file` call of `bench pipeline` (deterministic_1kb), with `path` as given. */
const writeFileCall = (path: string) => sizedCall(1024, path);

/** One round of the in-process comparison, p50 µs per call. */
export interface InProcessRound {
  readonly ours_check_p50_us: number;
  readonly ours_check_with_hash_p50_us: number;
  readonly agt_policy_audit_p50_us?: number;
  readonly agt_execute_with_governance_p50_us?: number;
}

/** Sensitive paths the comparison policy denies writes to, on both sides. */
const SENSITIVE = ['/etc/passwd', '/etc/shadow', '~/.ssh/id_rsa', '~/.ssh/authorized_keys', '.env'];

/** A description of the policy AGT is given, for the report's `setup`. */
export const AGT_POLICY_DESCRIPTION =
  `PolicyEngine.loadPolicy: deny rules "tool == 'write_file' and path in [${SENSITIVE.join(', ')}]" and ` +
  `"tool in ['delete_file', 'execute_command']", then allow; context = { tool, path, content } of the 1 KB call ` +
  '(AuditLogger.log after each evaluation). executeWithGovernance: AgentMeshClient with the same intent as ' +
  "legacy rules (write_file denied when path equals each sensitive path, '*' allowed), params = the arguments. " +
  'AuditLogger maxEntries raised above the call count so no eviction is timed.';

type Agt = typeof import('@microsoft/agent-governance-sdk');

/** AGT's two governed paths on the 1 KB call, each checked to allow the benign call and deny a sensitive one. */
async function agtVariants(
  agt: Agt,
  calls: number,
): Promise<{ policyAudit: () => Promise<unknown>; execute: () => Promise<unknown> }> {
  const benign = writeFileCall('./docs/notes/build.md').arguments as { path: string; content: string };
  const engine = new agt.PolicyEngine();
  const list = SENSITIVE.map((p) => `'${p}'`).join(', ');
  engine.loadPolicy({
    name: 'bench-sensitive-writes',
    default_action: 'allow',
    rules: [
      {
        name: 'no-sensitive-writes',
        condition: `tool == 'write_file' and path in [${list}]`,
        ruleAction: 'deny',
        priority: 10,
      },
      {
        name: 'no-destructive',
        condition: "tool in ['delete_file', 'execute_command']",
        ruleAction: 'deny',
        priority: 10,
      },
      { name: 'rest', ruleAction: 'allow', priority: 0 },
    ],
  });
  const logger = new agt.AuditLogger({ maxEntries: calls * 2 + 10_000 });
  const policyAudit = async (args: { path: string; content: string }): Promise<boolean> => {
    const d = engine.evaluatePolicy('did:agentmesh:bench', { tool: 'write_file', ...args });
    logger.log({
      agentId: 'did:agentmesh:bench',
      action: 'write_file',
      decision: d.allowed ? 'allow' : 'deny',
    });
    return d.allowed;
  };
  const client = agt.AgentMeshClient.create('bench-agent', {
    policyRules: [
      ...SENSITIVE.map((p) => ({ action: 'write_file', effect: 'deny' as const, conditions: { path: p } })),
      { action: '*', effect: 'allow' as const },
    ],
    audit: { maxEntries: calls * 2 + 10_000 },
  });
  const execute = async (args: { path: string; content: string }): Promise<boolean> =>
    (await client.executeWithGovernance('write_file', args)).decision === 'allow';
  const bad = { ...benign, path: '/etc/passwd' };
  if (
    !(await policyAudit(benign)) ||
    (await policyAudit(bad)) ||
    !(await execute(benign)) ||
    (await execute(bad))
  ) {
    throw new Error('bench peers: AGT did not allow the benign write and deny the sensitive one');
  }
  return { policyAudit: () => policyAudit(benign), execute: () => execute(benign) };
}

/**
 * One round: our gate's deterministic_1kb check (all non-inference layers plus the in-memory audit
 * append), alone and with the per-record cost of the deferred serialization and hashing, beside AGT's
 * policy evaluation plus audit log and its `executeWithGovernance`, interleaved.
 */
export async function inProcessRound(iterations: number, agt: Agt | undefined): Promise<InProcessRound> {
  const layers = await assembleLayers({ settings, configuration: 'no-probe' });
  const call = writeFileCall('./docs/notes/build.md');
  const gate = createGate({
    pipeline: createPipeline(layers),
    audit: new AuditChain(createMemorySink(), { durability: 'none' }),
  });
  if ((await gate.check(call)).decision.outcome !== 'allow') {
    throw new Error('bench peers: the benign 1 KB call was denied by the gate');
  }
  if ((await gate.check(writeFileCall('/etc/passwd'))).decision.outcome === 'allow') {
    throw new Error('bench peers: the gate allowed a write to /etc/passwd');
  }
  const warmup = Math.min(2000, iterations);
  const ours = await timeCalls(() => gate.check(call), iterations, warmup);
  // Serialization and hashing are deferred off the call's path: a batch of checks, then the flush.
  const chain = new AuditChain(createMemorySink(), { durability: 'none' });
  const hashing = createGate({ pipeline: createPipeline(layers), audit: chain });
  const records = Math.min(iterations, 20_000);
  for (let i = 0; i < records; i++) await hashing.check(call);
  const t0 = performance.now();
  await chain.flush();
  const flushUs = ((performance.now() - t0) * 1000) / records;
  const result: InProcessRound = {
    ours_check_p50_us: ours.p50_us,
    ours_check_with_hash_p50_us: round(ours.p50_us + flushUs),
  };
  if (agt === undefined) return result;
  const v = await agtVariants(agt, iterations + warmup);
  const policyAudit = await timeCalls(v.policyAudit, iterations, warmup);
  const execute = await timeCalls(v.execute, iterations, warmup);
  return {
    ...result,
    agt_policy_audit_p50_us: policyAudit.p50_us,
    agt_execute_with_governance_p50_us: execute.p50_us,
  };
}
