import type { AuditChain, AuditPosition } from './audit/chain.js';
import { digestOf } from './audit/hash.js';
import type { ToolCall } from './call.js';
import type { Decision, Evaluation } from './decision.js';
import { ErrorCode } from './errors.js';
import type { EvaluateOptions, Pipeline } from './pipeline.js';

/** The layer name under which the gate reports audit failures. */
export const AUDIT_LAYER = 'audit';

/** Options of a gate. */
export interface GateOptions {
  readonly pipeline: Pipeline;
  /** Where decisions and outcomes are recorded. Without it nothing is audited. */
  readonly audit?: AuditChain;
  /**
   * What a decision record keeps of the arguments: a Blake3 digest (default), or the arguments
   * themselves (`full`), in which case arguments that a layer rewrote (redacted) are recorded as rewritten,
   * and `redact` may rewrite them further before they are stored.
   */
  readonly arguments?: 'digest' | 'full';
  readonly redact?: (args: Readonly<Record<string, unknown>>) => unknown;
  /**
   * When an outcome record counts as written. `next` (default): at once — it joins the chain's next
   * batch (written and synced with the next decision, or within the chain's `deferMs`), so a call's
   * answer waits for one durable record, its decision, not two. A crash can lose the outcomes of the
   * last few milliseconds, never a decision of a call that was let through. `durable`: each outcome
   * waits for the chain's durability as a decision does.
   */
  readonly outcomes?: 'next' | 'durable';
}

/** A decision, with where its audit record landed. */
export interface RecordedDecision extends Evaluation {
  readonly audit?: AuditPosition;
}

/** What became of a call the gate let through (or of a response it filtered). */
export interface CallOutcome {
  readonly status: 'ok' | 'error' | 'blocked' | 'redacted';
  readonly detail?: string;
  /** The result as returned, digested in the record. */
  readonly result?: unknown;
  readonly redactions?: number;
  readonly ms?: number;
}

/** How a person answered an ask: approved, declined, cancelled, or no answer to be had. */
export type AskVerdict = 'approved' | 'declined' | 'cancelled' | 'unavailable' | 'timeout' | 'invalid';

/** A person's answer to an ask, as the `answer` audit record keeps it. */
export interface AskAnswer {
  readonly verdict: AskVerdict;
  /** Who answered: the principal of the client connection, and the client's name and version if known. */
  readonly by: {
    readonly principal: string;
    readonly client?: { readonly name?: string; readonly version?: string };
  };
  /** How the person was asked. */
  readonly how: 'elicitation';
  /** Time from the question to the answer, in ms. */
  readonly ms?: number;
  /** Why there was no usable answer (unavailable, timeout, invalid), for people. */
  readonly detail?: string;
}

/** A pipeline bound to an audit chain: every decision is recorded before the call may proceed. */
export interface Gate {
  readonly pipeline: Pipeline;
  readonly audit?: AuditChain;
  /** Decides and records. If the record cannot be written, the decision becomes a deny (fail-closed). */
  check(call: ToolCall, options?: EvaluateOptions): Promise<RecordedDecision>;
  /**
   * Records what happened to a call after its decision. Resolves at once unless the gate's `outcomes`
   * is `durable`; rejects when the chain has already failed.
   */
  recordOutcome(
    call: ToolCall,
    checked: RecordedDecision,
    outcome: CallOutcome,
  ): Promise<AuditPosition | undefined>;
  /**
   * Records a person's answer to an ask decision (record `answer`, `ref` = the decision's seq). Rejects
   * when the record cannot be written: the caller then refuses the call (fail-closed).
   */
  recordAnswer(
    call: ToolCall,
    checked: RecordedDecision,
    answer: AskAnswer,
  ): Promise<AuditPosition | undefined>;
  /**
   * A gate with every option of this one (audit chain, `arguments`, `redact`) deciding with `pipeline`
   * instead: how a wrapper adds its own layer without dropping how records are kept.
   * @example
   * const wrapped = gate.withPipeline(gate.pipeline.with(myLayer, 'first'));
   */
  withPipeline(pipeline: Pipeline): Gate;
}

function decisionData(call: ToolCall, ev: Evaluation, options: GateOptions): object {
  const d = ev.decision;
  const args = d.outcome !== 'deny' && d.arguments !== undefined ? d.arguments : call.arguments;
  return {
    call: {
      method: call.method,
      tool: call.tool.name,
      server: call.server,
      requestId: call.requestId,
      sessionId: call.sessionId,
      transport: call.transport?.kind,
      principal: { id: call.principal.id, tier: call.principal.tier },
      argsDigest: digestOf(call.arguments),
      rewrittenArgsDigest: args === call.arguments ? undefined : digestOf(args),
      args: options.arguments === 'full' ? (options.redact ? options.redact(args) : args) : undefined,
    },
    decision: {
      outcome: d.outcome,
      failure: d.outcome === 'deny' ? d.failure : undefined,
      question: d.outcome === 'ask' ? d.question : undefined,
      reasons: d.reasons,
    },
    layers: ev.trace,
    elapsedUs: ev.elapsedUs,
  };
}

function auditFailed(ev: Evaluation, err: unknown): RecordedDecision {
  const detail = err instanceof Error ? err.message : String(err);
  const decision: Decision = {
    outcome: 'deny',
    reasons: [...ev.decision.reasons, { layer: AUDIT_LAYER, code: ErrorCode.AuditFailed, detail }],
    failure: true,
  };
  // The audit decided this deny, so it is the deciding step of the trace: whoever reports the refusal
  // names the audit failure, not the reason a layer gave for the allow that was never recorded.
  return { ...ev, decision, trace: [...ev.trace, { layer: AUDIT_LAYER, verdict: 'error', us: 0 }] };
}

/**
 * Creates a gate.
 * @example
 * const gate = createGate({ pipeline, audit: await openAuditLog('audit.jsonl') });
 * const checked = await gate.check(call);
 * if (checked.decision.outcome === 'allow') forward(call);
 */
export function createGate(options: GateOptions): Gate {
  const { pipeline, audit } = options;
  return {
    pipeline,
    ...(audit === undefined ? {} : { audit }),
    async check(call, evaluateOptions) {
      const ev = await pipeline.evaluate(call, evaluateOptions);
      if (audit === undefined) return ev;
      try {
        return { ...ev, audit: await audit.append('decision', decisionData(call, ev, options)) };
      } catch (err) {
        return auditFailed(ev, err);
      }
    },
    withPipeline(next) {
      return createGate({ ...options, pipeline: next });
    },
    async recordOutcome(call, checked, outcome) {
      if (audit === undefined) return undefined;
      return audit.append(
        'outcome',
        {
          ref: checked.audit?.seq,
          tool: call.tool.name,
          requestId: call.requestId,
          status: outcome.status,
          detail: outcome.detail,
          resultDigest: outcome.result === undefined ? undefined : digestOf(outcome.result),
          redactions: outcome.redactions,
          ms: outcome.ms,
        },
        { commit: options.outcomes === 'durable' ? 'durable' : 'next' },
      );
    },
    async recordAnswer(call, checked, answer) {
      if (audit === undefined) return undefined;
      const d = checked.decision;
      return audit.append('answer', {
        ref: checked.audit?.seq,
        tool: call.tool.name,
        requestId: call.requestId,
        question: d.outcome === 'ask' ? d.question : undefined,
        verdict: answer.verdict,
        by: answer.by,
        how: answer.how,
        detail: answer.detail,
        ms: answer.ms === undefined ? undefined : Math.round(answer.ms),
      });
    },
  };
}
