import { GovernedError } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { ExitCode, startFailureExitCode } from '../../src/cli/exit-codes.js';

describe('exit codes', () => {
  it('keep the numbers scripts rely on', () => {
    expect(ExitCode).toEqual({ Ok: 0, Failed: 1, Usage: 2, StartFailed: 3 });
  });

  it('count a configuration, policy or file problem at proxy start-up as usage, anything else as a failed start', () => {
    expect(startFailureExitCode(new GovernedError('invalid_config', 'bad'))).toBe(ExitCode.Usage);
    expect(startFailureExitCode(new GovernedError('io_error', 'unreadable'))).toBe(ExitCode.Usage);
    expect(startFailureExitCode(new GovernedError('probe_model_invalid', 'not a GGUF'))).toBe(
      ExitCode.StartFailed,
    );
    expect(startFailureExitCode(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }))).toBe(
      ExitCode.StartFailed,
    );
  });
});
