import { GovernedError } from '@governed-mcp/core';

/** Codes of the probe's failures. Each one denies (fail-closed) and is audited. */
export const ProbeErrorCode = {
  /** The probe ran past its deadline (or its caller's signal aborted). */
  Timeout: 'probe_timeout',
  /** The model file failed validation or could not be loaded. */
  ModelInvalid: 'probe_model_invalid',
  /** The inference backend failed (crash, HTTP error, malformed response). */
  BackendError: 'probe_backend_error',
  /** The bounded queue in front of the backend is full. */
  Overloaded: 'probe_overloaded',
  /** The probe's configuration is unusable (e.g. a verbalizer that merges with the prompt). */
  InvalidConfig: 'probe_invalid_config',
  /** The embedded backend needs node-llama-cpp (an optional peer dependency), and it is not installed. */
  RuntimeMissing: 'probe_runtime_missing',
} as const;

/** One of the probe's failure codes. */
export type ProbeErrorCode = (typeof ProbeErrorCode)[keyof typeof ProbeErrorCode];

/** Creates the probe's error with one of its codes. */
export function probeError(code: ProbeErrorCode, message: string, cause?: unknown): GovernedError {
  return new GovernedError(code, message, cause === undefined ? undefined : { cause });
}

/** The probe code an unknown error maps to: its own code when it has one, else a backend error. */
export function probeCodeOf(err: unknown): ProbeErrorCode {
  if (err instanceof GovernedError) {
    const known = Object.values(ProbeErrorCode) as string[];
    if (known.includes(err.code)) return err.code as ProbeErrorCode;
  }
  return ProbeErrorCode.BackendError;
}
