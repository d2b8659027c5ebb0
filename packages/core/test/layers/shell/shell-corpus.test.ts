import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../../src/index.js';
import { BENIGN_COMMANDS, HOSTILE_COMMANDS } from './shell-corpus.js';
import { fired, SHELL_IDS } from './shell-scan.js';

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
