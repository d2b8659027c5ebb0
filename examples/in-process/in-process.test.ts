import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runInProcessExample } from './main.js';

describe('the in-process example', () => {
  it('serves the allowed call and keeps denied ones from the handlers', async () => {
    const report = await runInProcessExample();
    expect(report.listed).toEqual(['read_note']);
    expect(report.handlerRuns).toEqual(['read_note:todo']);
    expect(report.deleteDenial).toMatchObject({ denied: true, layer: 'mediation', code: 'tool_hidden' });
    expect(report.schemaDenial).toMatchObject({ denied: true, layer: 'schema' });
  });

  it('runs as a script and reports ok', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'examples/in-process/main.ts'],
      { cwd: new URL('../..', import.meta.url).pathname },
    );
    expect(stdout).toContain('in-process example: ok');
  });
});
