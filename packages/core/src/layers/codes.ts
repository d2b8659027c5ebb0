/**
 * Reason codes of the built-in deterministic layers. Stable strings: audit records, policies and
 * dashboards depend on them.
 */
export const LayerCode = {
  /** The arguments do not satisfy the tool's input schema. */
  SchemaMismatch: 'schema_mismatch',
  /** The tool's input schema cannot be compiled (malformed, unsupported dialect or pattern). */
  SchemaInvalid: 'schema_invalid',
  /** The arguments hold a value JSON cannot carry (function, bigint, NaN, cycle, class instance, …). */
  ArgumentsNotJson: 'arguments_not_json',
  /** The arguments hold a key that can pollute prototypes (`__proto__`, `constructor`, `prototype`). */
  ArgumentsForbiddenKey: 'arguments_forbidden_key',
  /** The arguments exceed a structural limit (depth, size, string or array length, keys). */
  ArgumentsTooLarge: 'arguments_too_large',
  /** The principal's tier is not in the tier table. */
  TierUnknown: 'tier_unknown',
  /** The principal's tier is below the tier the tool requires. */
  TierInsufficient: 'tier_insufficient',
  /** A token bucket is empty: retry after `data.retryAfterMs`. */
  RateLimited: 'rate_limited',
  /** Too many calls of this principal are being decided at once. */
  ConcurrencyLimited: 'concurrency_limited',
  /** The rate-limit store failed (fail-closed). */
  RateLimitStoreFailed: 'rate_limit_store_failed',
  /** A pre-filter detector that blocks at this tier matched. */
  PrefilterBlocked: 'prefilter_blocked',
  /** Detectors matched that only record at this tier. */
  PrefilterFindings: 'prefilter_findings',
  /** The pre-filter could not load its shell parser: the call is denied (fail-closed). */
  PrefilterUnavailable: 'prefilter_unavailable',
} as const;

/** One of the layers' reason codes. */
export type LayerCode = (typeof LayerCode)[keyof typeof LayerCode];
