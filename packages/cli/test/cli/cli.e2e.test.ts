import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from './run-cli.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('governed-mcp --version', () => {
  it.each([['--version'], ['-V']])('%s prints the cli package version and exits 0', async (flag) => {
    const r = await runCli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${manifest.version}\n`);
    expect(r.stderr).toBe('');
  });
});

describe('governed-mcp exit codes', () => {
  it.each([
    [['no-such-command']],
    [['audit', 'verify', '--no-such-flag', 'x']],
    [['eval', '--dataset']],
    [[]],
  ])('a command line commander refuses (%j) exits 2', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stdout).toBe('');
  });

  it('--help exits 0 and lists the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 failed.*2 usage, 3 the proxy could not start/);
  });
});
