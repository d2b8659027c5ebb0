/**
 * Attaches what the session knows to a call before the gate decides it: the tool's capability classes
 * and the session's facts (step, flagged results, classes called, where the arguments' values came
 * from, the host's task). Reading the facts must not fail open: if it throws, the call is refused.
 */
import type { CapabilityClass, ToolCall } from '@governed-mcp/core';
import type { Engine } from './engine.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { Session } from './session.js';
import { MediationCode, type Refusal } from './wire.js';

/** The call with its facts, or the refusal that replaces it when the facts could not be read. */
export type WithFacts =
  | { readonly call: ToolCall; readonly refusal?: undefined }
  | { readonly call: ToolCall; readonly refusal: Refusal };

/** The task the host passes for this session, if any (a callback that throws counts as none, logged). */
function taskOf(engine: Engine, session: Session): string | undefined {
  try {
    const task = engine.task?.(session.key);
    return typeof task === 'string' && task.trim() !== '' ? task : undefined;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    engine.log({ level: 'warn', event: 'task_unavailable', detail, sessionId: session.key });
    return undefined;
  }
}

/**
 * `call` with `capabilities` and `session` set for the call at `step`. A failure to read the facts
 * refuses the call with `provenance_failed` (logged) rather than deciding it without them.
 */
export function withFacts(
  engine: Engine,
  session: Session,
  call: ToolCall,
  classes: readonly CapabilityClass[],
  step: number,
): WithFacts {
  try {
    const facts = session.history.factsFor(step, call.arguments, taskOf(engine, session));
    return { call: { ...call, capabilities: classes, session: facts } };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    engine.log({ level: 'error', event: 'provenance_failed', detail, sessionId: session.key });
    return {
      call: { ...call, capabilities: classes },
      refusal: {
        layer: MEDIATION_LAYER,
        code: MediationCode.ProvenanceFailed,
        reason: 'the session facts for this call could not be read, so it was refused',
      },
    };
  }
}
