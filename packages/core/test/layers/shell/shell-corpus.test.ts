import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser, scanArguments, type ToolDefinition } from '../../../src/index.js';
import { BENIGN_COMMANDS, HOSTILE_COMMANDS } from './shell-corpus.js';

// The detectors the shell analysis feeds: a benign command must raise none of them.
const SHELL_IDS = new Set([
  'fetch-exec',
  'reverse-shell',
  'destructive-command',
  'persistence',
  'privilege-change',
  'credential',
]);
const shellTool: ToolDefinition = { name: 'run_command', inputSchema: { type: 'object' } };

function fired(command: string): string[] {
  return scanArguments({ command }, shellTool)
    .filter((f) => f.recordOnly !== true)
    .map((f) => `${f.detector}/${f.code}`);
}

describe('shell commands are judged on their parsed structure', () => {
  beforeAll(() => initShellParser());

  it('holds at least 60 hostile spellings and 40 ordinary commands', () => {
    expect(HOSTILE_COMMANDS.length).toBeGreaterThanOrEqual(60);
    expect(BENIGN_COMMANDS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(HOSTILE_COMMANDS.map((h) => [h.command, h.expect] as const))('reports %j', (command, expected) => {
    const ids = fired(command).map((f) => f.split('/')[0]);
    expect(
      expected.some((e) => ids.includes(e)),
      `${command} → ${ids.join(', ') || 'nothing'}`,
    ).toBe(true);
  });

  it.each(BENIGN_COMMANDS.map((c) => [c] as const))('lets %j through', (command) => {
    expect(fired(command).filter((f) => SHELL_IDS.has(f.split('/')[0] as string))).toEqual([]);
  });
});
