import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser, scanArguments, type ToolDefinition } from '../../../src/index.js';
import { INTERPRETER_BENIGN, INTERPRETER_HOSTILE } from './interpreter-corpus.js';

// The detectors the shell analysis feeds: a benign one-liner must raise none of them.
const SHELL_IDS = new Set([
  'fetch-exec',
  'reverse-shell',
  'destructive-command',
  'persistence',
  'privilege-change',
  'credential',
  'scan-limit',
]);
const shellTool: ToolDefinition = { name: 'run_command', inputSchema: { type: 'object' } };

function fired(command: string): string[] {
  return scanArguments({ command }, shellTool)
    .filter((f) => f.recordOnly !== true)
    .map((f) => `${f.detector}/${f.code}`);
}

describe('commands an interpreter one-liner hands to a shell are judged as shell commands', () => {
  beforeAll(() => initShellParser());

  it('holds at least 30 hostile spellings and 15 ordinary one-liners', () => {
    expect(INTERPRETER_HOSTILE.length).toBeGreaterThanOrEqual(30);
    expect(INTERPRETER_BENIGN.length).toBeGreaterThanOrEqual(15);
  });

  it.each(INTERPRETER_HOSTILE.map((h) => [h.command, h.expect] as const))(
    'reports %j',
    (command, expected) => {
      const ids = fired(command).map((f) => f.split('/')[0]);
      expect(
        expected.some((e) => ids.includes(e)),
        `${command} → ${ids.join(', ') || 'nothing'}`,
      ).toBe(true);
    },
  );

  it.each(INTERPRETER_BENIGN.map((c) => [c] as const))('lets %j through', (command) => {
    expect(fired(command).filter((f) => SHELL_IDS.has(f.split('/')[0] as string))).toEqual([]);
  });
});
