import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../../src/index.js';
import { INTERPRETER_BENIGN, INTERPRETER_HOSTILE } from './interpreter-corpus.js';
import { fired, SHELL_IDS } from './shell-scan.js';

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
