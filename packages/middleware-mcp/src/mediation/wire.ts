import { ErrorCode, LayerCode } from '@governed-mcp/core';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * Why the mediator refused or changed a message. Stable strings: logs, audit records and the
 * `data.governedMcp.code` of wire errors carry them.
 */
export const MediationCode = {
  /** The frame is not JSON-RPC 2.0 (not an object, wrong version, ambiguous shape). */
  InvalidMessage: 'invalid_message',
  /** The frame holds something JSON cannot (a function, a cycle, a non-finite number, a class instance). */
  NotJson: 'not_json',
  /** The frame is larger than `limits.maxFrameBytes`. */
  FrameTooLarge: 'frame_too_large',
  /** The frame nests deeper than `limits.maxDepth`. */
  FrameTooDeep: 'frame_too_deep',
  /** A JSON-RPC batch (MCP 2025-06-18 removed them) and batches are refused. */
  BatchRefused: 'batch_refused',
  /** A batch longer than `limits.maxBatch`, or an empty one. */
  BatchTooLong: 'batch_too_long',
  /** A request id that is neither a string nor a safe integer. */
  InvalidId: 'invalid_id',
  /** The session has `limits.maxInFlight` requests in flight already. */
  TooManyInFlight: 'too_many_in_flight',
  /** A request reused the id of a request still in flight. */
  DuplicateId: 'duplicate_id',
  /** The method is not one the gate knows (spaces, case variants, lookalikes, `__proto__`, …). */
  MethodUnclassified: 'method_unclassified',
  /** A notification (no id) carried a request method such as `tools/call`. */
  RequestAsNotification: 'request_as_notification',
  /** The request's params do not have the shape its method requires. */
  InvalidParams: 'invalid_params',
  /** A call to a tool the server did not list (after the mediator's own `tools/list`). */
  UnlistedTool: 'unlisted_tool',
  /** A call to a tool the principal may not see (tier or filter). */
  ToolHidden: 'tool_hidden',
  /** A call to a tool whose definition was flagged as poisoned and not approved. */
  ToolPoisoned: 'tool_poisoned',
  /** A call to a tool whose definition changed since it was pinned, not yet re-approved. */
  PinMismatch: 'pin_mismatch',
  /** The pipeline denied the call. */
  Denied: 'denied',
  /** A result held secrets and results are blocked rather than redacted. */
  ResultBlocked: 'result_blocked',
  /** Scanning a server→client message for secrets failed or exceeded its bounds; it was withheld. */
  RedactionFailed: 'redaction_failed',
  /** A response to no request in flight. */
  UnsolicitedResponse: 'unsolicited_response',
  /** The server side failed or went away before answering. */
  UpstreamFailed: 'upstream_failed',
  /** The mediator was closed with the request in flight. */
  Closed: 'mediator_closed',
  /** The mediator's own `tools/list` failed or timed out. */
  DiscoveryFailed: 'discovery_failed',
  /** Params keys MCP does not define for the method were left out of the forwarded request (a note). */
  ParamsDropped: 'params_dropped',
  /** A text the server sent (instructions, a resource or prompt description) looked poisoned and was withheld. */
  TextWithheld: 'text_withheld',
  /** The session's facts for a call (value provenance) could not be read; the call was refused. */
  ProvenanceFailed: 'provenance_failed',
} as const;

/** One of the mediator's codes. */
export type MediationCode = (typeof MediationCode)[keyof typeof MediationCode];

/** JSON-RPC error numbers used on the wire (the standard ones and our server-defined range). */
export const JsonRpcError = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  Denied: -32010,
  GateFailure: -32011,
  ToolBlocked: -32012,
  ResultBlocked: -32013,
  UpstreamFailed: -32014,
  Busy: -32015,
} as const;

/**
 * The one table that maps the gate's string codes (core's and the mediator's) to JSON-RPC numbers.
 * Codes not listed map to `Denied` (a layer's own deny code) — see {@link jsonRpcCodeOf}.
 */
const JSON_RPC_CODES: ReadonlyMap<string, number> = new Map<string, number>([
  [MediationCode.InvalidMessage, JsonRpcError.InvalidRequest],
  [MediationCode.NotJson, JsonRpcError.ParseError],
  [MediationCode.FrameTooLarge, JsonRpcError.InvalidRequest],
  [MediationCode.FrameTooDeep, JsonRpcError.InvalidRequest],
  [MediationCode.BatchRefused, JsonRpcError.InvalidRequest],
  [MediationCode.BatchTooLong, JsonRpcError.InvalidRequest],
  [MediationCode.InvalidId, JsonRpcError.InvalidRequest],
  [MediationCode.DuplicateId, JsonRpcError.InvalidRequest],
  [MediationCode.TooManyInFlight, JsonRpcError.Busy],
  [MediationCode.MethodUnclassified, JsonRpcError.MethodNotFound],
  [MediationCode.RequestAsNotification, JsonRpcError.InvalidRequest],
  [MediationCode.InvalidParams, JsonRpcError.InvalidParams],
  [MediationCode.UnlistedTool, JsonRpcError.ToolBlocked],
  [MediationCode.ToolHidden, JsonRpcError.ToolBlocked],
  [MediationCode.ToolPoisoned, JsonRpcError.ToolBlocked],
  [MediationCode.PinMismatch, JsonRpcError.ToolBlocked],
  [MediationCode.Denied, JsonRpcError.Denied],
  [MediationCode.ResultBlocked, JsonRpcError.ResultBlocked],
  [MediationCode.RedactionFailed, JsonRpcError.GateFailure],
  [MediationCode.ProvenanceFailed, JsonRpcError.GateFailure],
  [MediationCode.UnsolicitedResponse, JsonRpcError.InvalidRequest],
  [MediationCode.UpstreamFailed, JsonRpcError.UpstreamFailed],
  [MediationCode.Closed, JsonRpcError.ConnectionClosed],
  [MediationCode.DiscoveryFailed, JsonRpcError.UpstreamFailed],
  [ErrorCode.LayerThrew, JsonRpcError.GateFailure],
  [ErrorCode.LayerInvalidDecision, JsonRpcError.GateFailure],
  [ErrorCode.NextCalledTwice, JsonRpcError.GateFailure],
  [ErrorCode.NextNotAwaited, JsonRpcError.GateFailure],
  [ErrorCode.LayerTimeout, JsonRpcError.GateFailure],
  [ErrorCode.DeadlineExceeded, JsonRpcError.RequestTimeout],
  [ErrorCode.InvalidCall, JsonRpcError.InvalidParams],
  [ErrorCode.InvalidConfig, JsonRpcError.InternalError],
  [ErrorCode.AuditFailed, JsonRpcError.GateFailure],
  [ErrorCode.AuditCorrupt, JsonRpcError.GateFailure],
  [ErrorCode.NotCanonical, JsonRpcError.InvalidParams],
  [ErrorCode.Io, JsonRpcError.GateFailure],
  [LayerCode.RateLimited, JsonRpcError.Busy],
  [LayerCode.ConcurrencyLimited, JsonRpcError.Busy],
  [LayerCode.RateLimitStoreFailed, JsonRpcError.GateFailure],
  [LayerCode.SchemaInvalid, JsonRpcError.GateFailure],
  [LayerCode.SchemaMismatch, JsonRpcError.InvalidParams],
  [LayerCode.ArgumentsNotJson, JsonRpcError.InvalidParams],
  [LayerCode.ArgumentsForbiddenKey, JsonRpcError.InvalidParams],
  [LayerCode.ArgumentsTooLarge, JsonRpcError.InvalidParams],
]);

/** The JSON-RPC error number for a gate code; a layer's own deny code maps to `Denied`. */
export function jsonRpcCodeOf(code: string): number {
  return JSON_RPC_CODES.get(code) ?? JsonRpcError.Denied;
}

/** Why a request was refused: enough for an agent (and a person) to reason about it. */
export interface Refusal {
  readonly layer: string;
  readonly code: string;
  readonly reason: string;
}

/** A JSON-RPC error response carrying the refusal under `data.governedMcp`. `id` null when unknown. */
export function errorResponse(id: RequestId | null, refusal: Refusal): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    // The SDK types an absent id as optional; JSON-RPC requires null when the id is unknown.
    id: id as RequestId,
    error: {
      code: jsonRpcCodeOf(refusal.code),
      message: `governed-mcp refused the request: ${refusal.reason}`,
      data: {
        governedMcp: { denied: true, layer: refusal.layer, code: refusal.code, reason: refusal.reason },
      },
    },
  };
}

/**
 * The MCP result of a denied `tools/call`: a well-formed tool error the agent can read. The structured
 * copy is left out when the tool declares an output schema, which clients validate it against.
 */
export function deniedToolResult(id: RequestId, refusal: Refusal, withStructured: boolean): JSONRPCMessage {
  const text = `Denied by governed-mcp (layer '${refusal.layer}', code '${refusal.code}'): ${refusal.reason}`;
  const result: Record<string, unknown> = { content: [{ type: 'text', text }], isError: true };
  if (withStructured) {
    result.structuredContent = {
      governedMcp: { denied: true, layer: refusal.layer, code: refusal.code, reason: refusal.reason },
    };
  }
  return { jsonrpc: '2.0', id, result } as JSONRPCMessage;
}
