/**
 * Error codes of the gate. Stable strings: scripts, audit records and the MCP edge depend on them.
 * The middleware maps them to JSON-RPC numbers; nothing else does.
 */
export const ErrorCode = {
  /** A layer threw synchronously or its promise rejected. */
  LayerThrew: 'layer_threw',
  /** A layer resolved to something that is not a Decision. */
  LayerInvalidDecision: 'layer_invalid_decision',
  /** A layer called next() more than once. */
  NextCalledTwice: 'next_called_twice',
  /** A layer resolved before the downstream it started had settled (a missing await). */
  NextNotAwaited: 'next_not_awaited',
  /** A layer ran past its own deadline. */
  LayerTimeout: 'layer_timeout',
  /** The call ran past its deadline. */
  DeadlineExceeded: 'deadline_exceeded',
  /** The call itself is malformed (missing tool, non-object arguments, …). */
  InvalidCall: 'invalid_call',
  /** Configuration failed validation. */
  InvalidConfig: 'invalid_config',
  /** The audit sink could not record a decision. */
  AuditFailed: 'audit_failed',
  /** An audit file is not a valid chain. */
  AuditCorrupt: 'audit_corrupt',
  /** A value could not be serialized canonically (cycle, non-finite number, unsupported type). */
  NotCanonical: 'not_canonical',
  /** An I/O operation failed. */
  Io: 'io_error',
  /** The shared rate-limit store (Redis) is unreachable or answered with an error: the call is denied. */
  RateLimitStoreUnavailable: 'rate_limit_store_unavailable',
  /** The shared rate-limit store did not answer in time: the call is denied. */
  RateLimitStoreTimeout: 'rate_limit_store_timeout',
} as const;

/** One of the gate's error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The base error of the project: a stable string code, a message, and an optional cause. */
export class GovernedError extends Error {
  override readonly name: string = 'GovernedError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `err` is a GovernedError (optionally with the given code). */
export function isGovernedError(err: unknown, code?: string): err is GovernedError {
  return err instanceof GovernedError && (code === undefined || err.code === code);
}
