import { isGovernedError } from '@governed-mcp/core';

/**
 * The exit codes of every `governed-mcp` command (docs/cli.md has the table). Scripts rely on them:
 * `audit verify` 0 intact, 1 broken, 2 usage or I/O; `policy check` 0 valid, 1 invalid; `eval` 0 ran,
 * 1 bad dataset or missing model; `proxy` 0 on a clean shutdown.
 */
export const ExitCode = {
  /** The command did what was asked (a check passed, the proxy shut down cleanly). */
  Ok: 0,
  /**
   * The command ran and the answer is no, or its work failed: a broken chain, an invalid policy, a bad
   * dataset or a missing model, a failed download or checksum, a benchmark that did not finish, a proxy
   * stopped by an internal error (after flushing its audit chain).
   */
  Failed: 1,
  /** The command was not given what it needs: bad arguments or configuration, an unreadable file. */
  Usage: 2,
  /**
   * The proxy's arguments were valid but it could not start in this environment: the listen address is
   * taken, the upstream or the model could not be started. Retrying later may help; editing flags will not.
   */
  StartFailed: 3,
} as const;

/** One of the exit codes in {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Error codes that mean "fix the command line or its files", not "fix the machine". */
const USAGE_ERRORS: ReadonlySet<string> = new Set(['invalid_config', 'io_error', 'probe_invalid_config']);

/**
 * The exit code for an error that stopped the proxy before it started: {@link ExitCode.Usage} for a
 * configuration, policy or file problem, {@link ExitCode.StartFailed} for anything else.
 */
export function startFailureExitCode(err: unknown): ExitCode {
  return isGovernedError(err) && USAGE_ERRORS.has(err.code) ? ExitCode.Usage : ExitCode.StartFailed;
}
