import {
  type AskAnswer,
  type CallOutcome,
  createGate,
  defineLayer,
  deny,
  type Pipeline,
  type Reason,
  type RecordedDecision,
  type ToolCall,
} from '@governed-mcp/core';
import type { GateSource } from './mediator-types.js';
import type { Refusal } from './wire.js';

/** The layer under which the mediator's own refusals (pins, poisoning, visibility) are decided. */
export const MEDIATION_LAYER = 'mediation';

/**
 * The mediator's view of the gate. Every mediated request — allowed, denied by a layer, or refused by
 * the mediator itself — goes through `check`, so it leaves exactly one decision record.
 */
export interface MediationGate {
  /** Decides a call through the pipeline and records the decision. */
  check(call: ToolCall): Promise<RecordedDecision>;
  /** Decides a call the mediator refuses (unlisted, changed, poisoned, hidden tool) and records it. */
  refuse(call: ToolCall, refusal: Refusal): Promise<RecordedDecision>;
  /** Decides a call through the pipeline with a note of the mediator's (e.g. params it dropped) in its record. */
  checkNoted(call: ToolCall, note: Reason | undefined): Promise<RecordedDecision>;
  /** Records what became of a call; resolves false when the record could not be written. */
  recordOutcome(call: ToolCall, checked: RecordedDecision, outcome: CallOutcome): Promise<boolean>;
  /** Records a person's answer to an ask; resolves false when the record could not be written. */
  recordAnswer(call: ToolCall, checked: RecordedDecision, answer: AskAnswer): Promise<boolean>;
  /** Waits until records appended so far are written. */
  flush(): Promise<void>;
}

function isPipeline(source: GateSource): source is Pipeline {
  return typeof (source as Partial<Pipeline>).evaluate === 'function';
}

/**
 * Builds the mediation gate: the given pipeline with a first layer, `mediation`, that denies the calls
 * the mediator refused (looked up by call object, so no caller can forge a refusal or dodge one). A
 * given gate is kept as it is — its audit chain, `arguments` and `redact` settings — with that one
 * layer added outermost.
 */
export function createMediationGate(source: GateSource): MediationGate {
  const refusals = new WeakMap<ToolCall, Refusal>();
  const notes = new WeakMap<ToolCall, Reason>();
  const layer = defineLayer(MEDIATION_LAYER, async (ctx, next) => {
    const r = refusals.get(ctx.call);
    if (r !== undefined) return deny(r.layer, r.code, r.reason);
    const decision = await next();
    const note = notes.get(ctx.call);
    // The note rides along in the decision's reasons, so the audit record shows it.
    return note === undefined ? decision : { ...decision, reasons: [...decision.reasons, note] };
  });
  const base = isPipeline(source) ? source : source.pipeline;
  const cleaned = base.layers.some((l) => l.name === MEDIATION_LAYER) ? base.without(MEDIATION_LAYER) : base;
  const pipeline = cleaned.with(layer, 'first');
  const gate = isPipeline(source) ? createGate({ pipeline }) : source.withPipeline(pipeline);
  return {
    check: (call) => gate.check(call),
    refuse(call, refusal) {
      refusals.set(call, refusal);
      return gate.check(call);
    },
    checkNoted(call, note) {
      if (note !== undefined) notes.set(call, note);
      return gate.check(call);
    },
    async recordOutcome(call, checked, outcome) {
      try {
        await gate.recordOutcome(call, checked, outcome);
        return true;
      } catch {
        return false;
      }
    },
    async recordAnswer(call, checked, answer) {
      try {
        await gate.recordAnswer(call, checked, answer);
        return true;
      } catch {
        return false;
      }
    },
    flush: async () => {
      await gate.audit?.flush();
    },
  };
}
