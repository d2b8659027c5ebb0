import {
  type Decision,
  deny,
  type JsonObject,
  type Layer,
  PATH_FACT,
  type Reason,
  withReason,
} from '@governed-mcp/core';
import type { CompiledPolicy } from './compile.js';

/** The canonical name of the constitutional layer. */
export const POLICY_LAYER = 'policy';

/** Reason codes of the policy layer. */
export const PolicyReasonCode = {
  /** A deny rule matched, or no rule matched under `default deny`. */
  Deny: 'policy_deny',
  /** An ask rule matched (and no deny rule did): the call proceeds only if a person approves. */
  Ask: 'policy_ask',
  /** An allow rule matched. */
  Allow: 'policy_allow',
  /** No rule matched under `default allow`. */
  DefaultAllow: 'policy_default_allow',
  /** The call could not be matched (cyclic or oversized arguments): denied, fail-closed. */
  Unmatchable: 'policy_unmatchable',
} as const;

/** Something that holds the current policy and may swap it (see `watchPolicyFile`). */
export interface PolicyHolder {
  /** The policy in force now. Read once per call, so a swap never splits a call across two policies. */
  readonly current: CompiledPolicy;
}

/** The name the audit record uses for the deciding "rule" when no rule matched. */
export const DEFAULT_RULE = 'default';

/**
 * Combines an ask rule's reason with the decision of the layers below: their deny stands (deny
 * outranks ask); otherwise the call becomes an ask, keeping their reasons, their replaced arguments
 * and, after the rule's, their own question.
 */
function askOver(decision: Decision, reason: Reason, question: string): Decision {
  if (decision.outcome === 'deny') return withReason(decision, reason);
  const reasons = [...decision.reasons, reason];
  const asked =
    decision.outcome === 'ask' && decision.question !== question
      ? `${question}\n${decision.question}`
      : question;
  return decision.arguments === undefined
    ? { outcome: 'ask', reasons, question: asked }
    : { outcome: 'ask', reasons, question: asked, arguments: decision.arguments };
}

/**
 * Creates the constitutional layer ('policy'). A deny (a deny rule, or the default under
 * `default deny`) stops the call with code `policy_deny`. An ask rule passes the call on and turns
 * what comes back into an ask (`policy_ask`, with the rule's question) unless a later layer denies.
 * Otherwise the call passes on to the next layer and the returned decision is annotated with the
 * deciding rule and the policy hash, so the audit record names both.
 * @example
 * const pipeline = createPipeline([createPolicyLayer(defaultPolicy())]);
 */
export function createPolicyLayer(source: CompiledPolicy | PolicyHolder): Layer {
  const holder: PolicyHolder = 'current' in source ? source : { current: source };
  return {
    name: POLICY_LAYER,
    intercept: async function policyLayer(ctx, next) {
      const policy = holder.current;
      const m = policy.match(ctx.call, ctx.get(PATH_FACT));
      const rule = m.rule ?? DEFAULT_RULE;
      const data: JsonObject = { policy: policy.hash, rule };
      if (m.failure === true) {
        return { ...deny(POLICY_LAYER, PolicyReasonCode.Unmatchable, m.reason, data), failure: true };
      }
      if (m.decision === 'deny' || (m.decision === 'default' && policy.default === 'deny')) {
        const detail = m.decision === 'deny' ? `${rule}: ${m.reason}` : (m.reason ?? 'denied by default');
        return deny(POLICY_LAYER, PolicyReasonCode.Deny, detail, data);
      }
      if (m.decision === 'ask') {
        const question = m.question ?? m.reason ?? rule;
        const reason: Reason = {
          layer: POLICY_LAYER,
          code: PolicyReasonCode.Ask,
          detail: `${rule}: ${m.reason ?? ''}`,
          data: { ...data, question },
        };
        return askOver(await next(), reason, question);
      }
      const decision = await next();
      const code = m.decision === 'allow' ? PolicyReasonCode.Allow : PolicyReasonCode.DefaultAllow;
      const detail = m.decision === 'allow' ? `${rule}: ${m.reason}` : (m.reason ?? 'allowed by default');
      return withReason(decision, { layer: POLICY_LAYER, code, detail, data });
    },
  };
}
