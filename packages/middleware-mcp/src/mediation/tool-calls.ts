import type {
  Decision,
  LayerTrace,
  Principal,
  Reason,
  RecordedDecision,
  ToolCall,
  ToolDefinition,
} from '@governed-mcp/core';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { askPerson } from './ask.js';
import { withFacts } from './call-facts.js';
import { classify, MAX_TOOL_NAME, statusOf } from './catalogue.js';
import type { Engine } from './engine.js';
import { trimParams } from './forwarded-params.js';
import { idKey, type Params } from './frame.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import type { PeerInfo, Routed } from './mediator-types.js';
import { routed } from './routed.js';
import type { Parked, Pending, Session } from './session.js';
import { deniedToolResult, errorResponse, MediationCode, type Refusal } from './wire.js';

const ANY_OBJECT = Object.freeze({ type: 'object' });

/** The definition that stands for a non-tool request (`resources/read`, `sampling/createMessage`, …). */
export function synthesizedTool(method: string): ToolDefinition {
  return { name: method, description: `MCP request '${method}'`, inputSchema: ANY_OBJECT };
}

/**
 * The refusal a denial stands for: the reason of the layer that decided it (the first layer in the
 * trace that denied or failed), not an annotation another layer added on the way.
 */
export function refusalOf(decision: Decision, trace: readonly LayerTrace[] = []): Refusal {
  const decider = trace.find((t) => t.verdict === 'deny' || t.verdict === 'error' || t.verdict === 'timeout');
  const r =
    (decider === undefined ? undefined : decision.reasons.find((x) => x.layer === decider.layer)) ??
    decision.reasons[0];
  return {
    layer: r?.layer ?? MEDIATION_LAYER,
    code: r?.code ?? MediationCode.Denied,
    reason: r?.detail ?? r?.code ?? 'denied by the gate',
  };
}

function buildCall(
  engine: Engine,
  peer: PeerInfo,
  method: string,
  tool: ToolDefinition,
  args: Readonly<Record<string, unknown>>,
  id: RequestId,
  principal: Principal,
): ToolCall {
  return {
    method,
    tool,
    arguments: args,
    principal,
    ...(engine.server === '' ? {} : { server: engine.server }),
    ...(peer.sessionId === undefined ? {} : { sessionId: peer.sessionId }),
    requestId: id,
    transport: peer.transport,
  };
}

/** Logs params left out of a forwarded request and returns the note its decision record carries. */
export function noteDropped(
  engine: Engine,
  session: Session,
  method: string,
  dropped: readonly string[],
): Reason | undefined {
  if (dropped.length === 0) return undefined;
  const keys = dropped.slice(0, 16).join(', ');
  engine.log({
    level: 'warn',
    event: 'params_dropped',
    code: MediationCode.ParamsDropped,
    detail: `${method}: ${keys}`,
    sessionId: session.key,
    data: { method, keys: dropped.slice(0, 16) },
  });
  return { layer: MEDIATION_LAYER, code: MediationCode.ParamsDropped, detail: `left out: ${keys}` };
}

function isArgs(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toolRefusal(
  engine: Engine,
  session: Session,
  name: string,
  principal: Principal,
): Refusal | undefined {
  const entry = session.catalogue.get(name);
  const refusal = (code: string, reason: string): Refusal => ({ layer: MEDIATION_LAYER, code, reason });
  if (entry === undefined) {
    return refusal(
      MediationCode.UnlistedTool,
      `the server did not list a tool named '${name.slice(0, 128)}'`,
    );
  }
  const status = statusOf(entry, engine.pins, engine.server);
  if (status === 'changed') {
    return refusal(
      MediationCode.PinMismatch,
      `the definition of '${name}' changed since it was approved; it needs re-approval`,
    );
  }
  if (status === 'poisoned') {
    const kinds = [...new Set(entry.findings.map((f) => f.kind))].join(', ');
    return refusal(
      MediationCode.ToolPoisoned,
      `the definition of '${name}' looks poisoned (${kinds}) and was not approved`,
    );
  }
  if (!engine.visibility(entry.definition, principal, engine.server)) {
    return refusal(MediationCode.ToolHidden, `principal tier '${principal.tier}' may not use '${name}'`);
  }
  return undefined;
}

/**
 * Decides a `tools/call` whose tool is known (or known to be unlisted). Allowed: the request is forwarded
 * with the arguments the gate approved (possibly rewritten). Denied: a tool error result goes back.
 * `forced` refuses the call whatever its tool (discovery failed, session ended), still through the gate.
 */
export async function decideToolCall(
  engine: Engine,
  session: Session,
  parked: Parked,
  forced?: Refusal,
): Promise<Routed> {
  const { pending, params, peer } = parked;
  const name = params.name as string;
  const args = (params.arguments ?? {}) as Readonly<Record<string, unknown>>;
  const entry = session.catalogue.get(name);
  const tool: ToolDefinition = entry?.definition ?? { name, inputSchema: ANY_OBJECT };
  pending.step ??= session.history.nextStep();
  const built = buildCall(engine, peer, 'tools/call', tool, args, pending.id, pending.principal);
  const facts = withFacts(engine, session, built, entry?.classes ?? classify(tool), pending.step);
  const call = facts.call;
  const refusal = forced ?? facts.refusal ?? toolRefusal(engine, session, name, pending.principal);
  // Only what the gate decides reaches the server: name, the decided arguments, MCP's client `_meta`.
  const trimmed = trimParams('tools/call', params);
  const note = noteDropped(engine, session, 'tools/call', trimmed.dropped);
  const checked =
    refusal === undefined
      ? await engine.gate.checkNoted(call, note)
      : await engine.gate.refuse(call, refusal);
  pending.call = call;
  pending.checked = checked;
  pending.tool = tool;
  // Answered meanwhile (session failed, gate closed, request cancelled): nothing more to send.
  if (session.fromClient.get(idKey(pending.id)) !== pending) return routed();
  const d = checked.decision;
  if (d.outcome !== 'deny') {
    const forwarded = {
      jsonrpc: '2.0',
      id: pending.id,
      method: 'tools/call',
      params: { ...trimmed.params, name, arguments: d.arguments ?? args },
    } as JSONRPCMessage;
    // An ask holds the call while the person is asked; the decided arguments go on a yes.
    if (d.outcome === 'ask') return askPerson(engine, session, pending, forwarded);
    session.history.noteCalled(call.capabilities ?? []);
    pending.forwarded = true;
    return routed([forwarded]);
  }
  session.fromClient.delete(idKey(pending.id));
  const why = refusalOf(d, checked.trace);
  engine.log({
    level: 'info',
    event: 'call_denied',
    code: why.code,
    detail: why.reason,
    sessionId: session.key,
    data: { tool: name, layer: why.layer },
  });
  return routed([], [deniedToolResult(pending.id, why, tool.outputSchema === undefined)]);
}

/** Checks the params of a `tools/call`: a tool name and object arguments. */
export function toolCallProblem(params: Params | undefined): string | undefined {
  if (params === undefined || typeof params.name !== 'string' || params.name.length === 0)
    return "'params.name' must be a non-empty string";
  if (params.name.length > MAX_TOOL_NAME) return `'params.name' is longer than ${MAX_TOOL_NAME} characters`;
  if (params.arguments !== undefined && !isArgs(params.arguments))
    return "'params.arguments' must be an object";
  return undefined;
}

/**
 * Decides a mediated request other than `tools/call` (resource reads, prompt gets, sampling and
 * elicitation from the server). The params (without `_meta`) are the call's arguments.
 */
export async function decideRequest(
  engine: Engine,
  pending: Pending,
  params: Params | undefined,
  peer: PeerInfo,
  toServer?: Session,
): Promise<{
  checked: RecordedDecision;
  forward: JSONRPCMessage | undefined;
  refusal: JSONRPCMessage | undefined;
  /** The gate answered *ask*: `forward` goes only if a person approves it. */
  ask: boolean;
}> {
  // Towards the server, the params MCP defines for the method are the call's arguments; nothing else goes.
  const trimmed = toServer === undefined ? { params, dropped: [] } : trimParams(pending.method, params);
  const { _meta, ...args } = trimmed.params ?? {};
  const note =
    toServer === undefined ? undefined : noteDropped(engine, toServer, pending.method, trimmed.dropped);
  const tool = synthesizedTool(pending.method);
  const call = buildCall(engine, peer, pending.method, tool, args, pending.id, pending.principal);
  const checked = await engine.gate.checkNoted(call, note);
  pending.call = call;
  pending.checked = checked;
  pending.tool = tool;
  const d = checked.decision;
  if (d.outcome === 'deny')
    return {
      checked,
      forward: undefined,
      refusal: errorResponse(pending.id, refusalOf(d, checked.trace)),
      ask: false,
    };

  const decided =
    d.arguments === undefined || toServer === undefined
      ? d.arguments
      : trimParams(pending.method, d.arguments).params;
  const finalParams =
    decided === undefined ? trimmed.params : { ...decided, ...(_meta === undefined ? {} : { _meta }) };
  const message = {
    jsonrpc: '2.0',
    id: pending.id,
    method: pending.method,
    ...(finalParams === undefined ? {} : { params: finalParams }),
  };
  return { checked, forward: message as JSONRPCMessage, refusal: undefined, ask: d.outcome === 'ask' };
}
