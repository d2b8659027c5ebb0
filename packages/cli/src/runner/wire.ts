import { ErrorCode } from '@governed-mcp/core';
import { errorResponse, MediationCode } from '@governed-mcp/middleware-mcp';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/**
 * Cheap structural checks on JSON-RPC messages the mediator already vetted. The SDK's `isJSONRPC*`
 * guards run a zod parse per call; the runner's hot path cannot afford that.
 */

/** A message with a method and an id: it expects an answer. */
export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  const r = m as { id?: unknown; method?: unknown };
  return typeof r.method === 'string' && (typeof r.id === 'string' || typeof r.id === 'number');
}

/** A message with a method and no id. */
export function isNotification(m: JSONRPCMessage): m is JSONRPCMessage & { method: string } {
  const r = m as { id?: unknown; method?: unknown };
  return typeof r.method === 'string' && r.id === undefined;
}

/** A result or error answering a request. */
export function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  const r = m as { id?: unknown; method?: unknown; result?: unknown; error?: unknown };
  return (
    r.method === undefined &&
    (typeof r.id === 'string' || typeof r.id === 'number') &&
    (r.result !== undefined || r.error !== undefined)
  );
}

/** Errors the runner itself answers with (the request never got an upstream answer). */
export const RunnerErrorCode = {
  /** The upstream did not answer within `limits.upstreamTimeoutMs`. */
  UpstreamTimeout: 'upstream_timeout',
  /** The upstream is down, could not be reached, or exited while the call was pending. */
  UpstreamUnavailable: 'upstream_unavailable',
  /** Too many requests in flight on this session. */
  TooManyPending: 'too_many_pending',
  /** The runner is shutting down. */
  ShuttingDown: 'shutting_down',
  /** A frame was larger than `limits.maxFrameBytes`. */
  FrameTooLarge: 'frame_too_large',
  /** A frame was not JSON. */
  ParseError: 'parse_error',
  /** The mediator failed on a frame; nothing was forwarded. */
  MediationFailed: 'mediation_failed',
} as const;

/** One of the runner's error codes. */
export type RunnerErrorCode = (typeof RunnerErrorCode)[keyof typeof RunnerErrorCode];

/**
 * The mediator's code each runner error is reported under on the wire, so the JSON-RPC number comes
 * from the mediation's one code table; the runner's own, more precise code is logged.
 */
const WIRE_CODE: Readonly<Record<RunnerErrorCode, string>> = {
  upstream_timeout: MediationCode.UpstreamFailed,
  upstream_unavailable: MediationCode.UpstreamFailed,
  too_many_pending: 'too_many_pending',
  shutting_down: MediationCode.Closed,
  frame_too_large: MediationCode.FrameTooLarge,
  parse_error: MediationCode.NotJson,
  mediation_failed: ErrorCode.LayerThrew,
};

/** The layer name under which the runner refuses requests. */
export const RUNNER_LAYER = 'runner';

/** A JSON-RPC error response from the runner (fail-closed: the request was not, or not fully, served). */
export function runnerError(id: RequestId | null, code: RunnerErrorCode, message: string): JSONRPCMessage {
  return errorResponse(id, { layer: RUNNER_LAYER, code: WIRE_CODE[code], reason: message });
}
