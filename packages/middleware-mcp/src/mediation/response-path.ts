import type { CallOutcome } from '@governed-mcp/core';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Engine } from './engine.js';
import type { Params } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import { type Redacted, redactValueSync } from './redaction.js';
import { judgeResult, quarantineAll, type ResultFinding, type ResultJudgement } from './result-judgement.js';
import type { Pending, Session } from './session.js';
import { probeResult } from './text-probe.js';
import { deniedToolResult, errorResponse, MediationCode, type Refusal } from './wire.js';

/** A response from the other side, as classified. */
export interface Answer {
  readonly id: RequestId;
  readonly result?: Params;
  readonly error?: Params;
}

/** The JSON-RPC message answering `id` with `body` (an error, or a result: `answer`'s when none). */
export function message(
  id: RequestId,
  answer: Answer,
  body: { result?: unknown; error?: unknown },
): JSONRPCMessage {
  return (
    body.error !== undefined
      ? { jsonrpc: '2.0', id, error: body.error }
      : { jsonrpc: '2.0', id, result: body.result ?? answer.result }
  ) as JSONRPCMessage;
}

/** The message that fails `pending` closed, as its method expects it. */
export function failureFor(pending: Pending, refusal: Refusal): JSONRPCMessage {
  return pending.role === 'tool-call'
    ? deniedToolResult(pending.id, refusal, pending.tool?.outputSchema === undefined)
    : errorResponse(pending.id, refusal);
}

const HAS_RESULT_PATH = new Set(['tool-call', 'resource-read', 'prompt-get', 'task-result']);

/** What scanning one server→client value gave: the redacted value, or a refusal (fail-closed). */
export type Scanned<T> =
  | { readonly ok: true; readonly redacted: Redacted<T> }
  | { readonly ok: false; readonly refusal: Refusal };

/**
 * Scans a value on its way to the client. A scan that throws or exceeds its bounds yields a
 * `redaction_failed` refusal: the value is withheld, never passed through unscanned.
 */
export function scanOutbound<T>(engine: Engine, session: Session, method: string, value: T): Scanned<T> {
  if (engine.redaction === 'off') return { ok: true, redacted: { value, count: 0, kinds: [], findings: [] } };
  try {
    const redacted = redactValueSync(value, { patterns: engine.patterns });
    if (redacted.count > 0) {
      engine.log({
        level: 'warn',
        event: engine.redaction === 'block' ? 'result_blocked' : 'result_redacted',
        sessionId: session.key,
        data: { method, kinds: redacted.kinds, count: redacted.count, findings: redacted.findings },
      });
    }
    return { ok: true, redacted };
  } catch (err) {
    engine.log({
      level: 'error',
      event: 'redaction_failed',
      detail: err instanceof Error ? err.message : String(err),
      sessionId: session.key,
      data: { method },
    });
    return {
      ok: false,
      refusal: {
        layer: MEDIATION_LAYER,
        code: MediationCode.RedactionFailed,
        reason: 'the message could not be scanned for secrets, so it was withheld',
      },
    };
  }
}

/** The audit detail of a redaction: rule, field path and count of each finding — never the secret. */
function findingsDetail(r: Redacted<unknown>): string {
  return r.findings.map((f) => `${f.rule} at ${f.path} x${f.count}`).join(', ');
}

/** True when the only finding is that the probe could not judge the result. */
const unjudged = (findings: readonly ResultFinding[]): boolean =>
  findings.length > 0 && findings.every((f) => f.kind === 'probe-failed');

/** The audit detail of a flagged result: kind and place of each finding — no excerpt of the text. */
function flagDetail(findings: readonly ResultFinding[]): string {
  const what = unjudged(findings) ? 'not judged by the probe' : 'instructions addressed to the agent';
  return `${what}: ${findings.map((f) => `${f.kind} at ${f.path}`).join(', ')}`;
}

/**
 * Records the values a judged result carried in the session's provenance, with its source (tool, step,
 * flagged, the instruction spans). Recording is bounded by the ledger's limits.
 */
function noteProvenance(session: Session, pending: Pending, judged: ResultJudgement<unknown>): void {
  const tool = pending.call?.tool.name ?? pending.tool?.name ?? '';
  session.history.noteResult({
    tool,
    step: pending.step ?? 0,
    classes: pending.call?.capabilities ?? [],
    texts: judged.texts,
    instructions: judged.instructions,
    flagged: judged.findings.length > 0,
  });
}

type Judged<T> =
  | { readonly ok: true; readonly value: T; readonly detail: string }
  | { readonly ok: false; readonly refusal: Refusal; readonly detail: string };

/**
 * Judges a tool result for instructions addressed to the agent (`result-judgement.ts`, then the probe
 * when `textProbe.results` is on and the judgement found nothing); a flagged one is remembered by the
 * session and logged, then marked, quarantined or withheld as configured. The probe gives no span, so
 * its finding covers the whole result: `quarantine` replaces every text of it. A judgement that throws
 * withholds the result (fail-closed). Answers to other requests pass unjudged.
 */
async function judgeToolResult<T>(
  engine: Engine,
  session: Session,
  pending: Pending,
  value: T,
): Promise<Judged<T>> {
  if (pending.role !== 'tool-call') return { ok: true, value, detail: '' };
  const mode = engine.resultInstructions;
  let judged: ResultJudgement<T>;
  try {
    judged = judgeResult(value, mode);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    engine.log({ level: 'error', event: 'result_judgement_failed', detail, sessionId: session.key });
    const reason = 'the result could not be scanned for instructions, so it was withheld';
    return {
      ok: false,
      detail: reason,
      refusal: { layer: MEDIATION_LAYER, code: MediationCode.RedactionFailed, reason },
    };
  }
  const tool = pending.call?.tool.name ?? pending.tool?.name ?? '';
  let pCalibrated: number | undefined;
  // The probe is awaited only when it judges results (a promise hop per result otherwise).
  if (judged.findings.length === 0 && engine.textProbe?.results === true) {
    const probed = await probeResult(engine, session, tool, judged.texts);
    if (probed.findings.length > 0) {
      // No span: the values are flagged, not instructed (the instruction list stays empty).
      judged = {
        ...judged,
        findings: probed.findings,
        requested: probed.requested,
        value: mode === 'quarantine' ? quarantineAll(value) : value,
      };
      pCalibrated = probed.pCalibrated;
    }
  }
  noteProvenance(session, pending, judged);
  if (judged.findings.length === 0) return { ok: true, value, detail: '' };
  const action = mode === 'mark' ? 'marked' : mode === 'quarantine' ? 'quarantined' : 'withheld';
  const kinds = [...new Set(judged.findings.map((f) => f.kind))];
  session.history.flags.add({
    tool,
    requestId: pending.id,
    step: pending.step ?? 0,
    kinds,
    excerpt: judged.findings[0]!.excerpt,
    action,
    requested: judged.requested,
  });
  engine.log({
    level: 'warn',
    event: 'result_flagged',
    sessionId: session.key,
    data: {
      tool,
      requestId: pending.id,
      kinds,
      action,
      findings: judged.findings.map((f) => `${f.kind} at ${f.path}`),
      ...(pCalibrated === undefined ? {} : { pCalibrated }),
    },
  });
  const detail = `${flagDetail(judged.findings)} (${action})`;
  if (mode !== 'withhold') return { ok: true, value: judged.value, detail };
  const reason = unjudged(judged.findings)
    ? 'the result could not be judged by the probe and was withheld'
    : 'the result contained instructions addressed to the agent and was withheld';
  return {
    ok: false,
    detail,
    refusal: { layer: MEDIATION_LAYER, code: MediationCode.ResultBlocked, reason },
  };
}

/**
 * The response path of a request the gate let through: secrets are redacted (or the result blocked),
 * and the outcome of a mediated request is recorded. If that record cannot be written, or the answer
 * cannot be scanned, the result is withheld (fail-closed). `toClient` marks an answer on its way to the
 * client: every such answer is scanned, whatever its method.
 */
export async function settle(
  engine: Engine,
  session: Session,
  pending: Pending,
  answer: Answer,
  toClient = false,
): Promise<JSONRPCMessage> {
  if (!toClient && !HAS_RESULT_PATH.has(pending.role)) {
    // Answers to mediated server requests (sampling, elicitation) are not redacted (they go to the
    // server, not the agent) but their outcome is recorded like any other.
    if (pending.call !== undefined && pending.checked !== undefined) {
      const status = answer.error !== undefined ? 'error' : 'ok';
      const ms = performance.now() - pending.started;
      const ok = await engine.gate.recordOutcome(pending.call, pending.checked, {
        status,
        result: answer.result ?? answer.error,
        ms,
      });
      if (!ok)
        return errorResponse(pending.id, {
          layer: 'audit',
          code: 'audit_failed',
          reason: 'the outcome could not be recorded',
        });
    }
    return message(pending.id, answer, answer);
  }
  const body = answer.error !== undefined ? { error: answer.error } : { result: answer.result };
  const scan = scanOutbound(engine, session, pending.method, body);
  const ms = performance.now() - pending.started;
  let out: JSONRPCMessage;
  let outcome: CallOutcome;
  if (!scan.ok) {
    out = failureFor(pending, scan.refusal);
    outcome = { status: 'blocked', detail: scan.refusal.reason, ms };
  } else if (scan.redacted.count > 0 && engine.redaction === 'block') {
    const scanned = scan.redacted;
    const refusal: Refusal = {
      layer: MEDIATION_LAYER,
      code: MediationCode.ResultBlocked,
      reason: `the result held secrets (${scanned.kinds.join(', ')}) and was withheld`,
    };
    out = failureFor(pending, refusal);
    outcome = { status: 'blocked', detail: findingsDetail(scanned), redactions: scanned.count, ms };
  } else {
    const scanned = scan.redacted;
    const judged = await judgeToolResult(engine, session, pending, scanned.value);
    const detail = [scanned.count > 0 ? findingsDetail(scanned) : '', judged.detail]
      .filter(Boolean)
      .join('; ');
    if (!judged.ok) {
      out = failureFor(pending, judged.refusal);
      outcome = { status: 'blocked', detail: detail || judged.refusal.reason, ms };
    } else {
      const isError = answer.error !== undefined || answer.result?.isError === true;
      out = message(pending.id, answer, judged.value);
      const changed = scanned.count > 0 || judged.value !== scanned.value;
      outcome = {
        status: changed ? 'redacted' : isError ? 'error' : 'ok',
        result: judged.value,
        ms,
        ...(scanned.count > 0 ? { redactions: scanned.count } : {}),
        ...(detail === '' ? {} : { detail }),
      };
    }
  }
  if (pending.call !== undefined && pending.checked !== undefined) {
    const ok = await engine.gate.recordOutcome(pending.call, pending.checked, outcome);
    if (!ok) {
      engine.log({
        level: 'error',
        event: 'outcome_not_recorded',
        sessionId: session.key,
        data: { method: pending.method },
      });
      return failureFor(pending, {
        layer: 'audit',
        code: 'audit_failed',
        reason: 'the outcome could not be recorded, so the result is withheld',
      });
    }
  }
  return out;
}
