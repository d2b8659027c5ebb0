import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../../src/index.js';
import { fired, SHELL_IDS } from './shell-scan.js';
import {
  GIT_CONFIG_BENIGN,
  GIT_CONFIG_HOSTILE,
  HIDDEN_NAME_BENIGN,
  HIDDEN_NAME_HOSTILE,
} from './structure-corpus.js';

/** A `detector/code` expectation matches exactly; a bare detector id matches any of its codes. */
function missing(command: string, expected: readonly string[]): string[] {
  const got = fired(command);
  return expected.filter((e) =>
    e.includes('/') ? !got.includes(e) : !got.some((g) => g.startsWith(`${e}/`)),
  );
}

function shellFindings(command: string): string[] {
  return fired(command).filter((f) => SHELL_IDS.has(f.split('/')[0] as string));
}

describe('setting a git key whose value git runs as a program is reported at every scope', () => {
  beforeAll(() => initShellParser());

  it('holds at least 15 hostile spellings and 15 ordinary commands', () => {
    expect(GIT_CONFIG_HOSTILE.length).toBeGreaterThanOrEqual(15);
    expect(GIT_CONFIG_BENIGN.length).toBeGreaterThanOrEqual(15);
  });

  it.each(GIT_CONFIG_HOSTILE.map((h) => [h.command, h.expect] as const))('reports %j', (command, exp) => {
    expect(missing(command, exp), `${command} → ${fired(command).join(', ') || 'nothing'}`).toEqual([]);
  });

  it.each(GIT_CONFIG_BENIGN.map((c) => [c] as const))('lets %j through', (command) => {
    expect(shellFindings(command)).toEqual([]);
  });
});

describe('a command name computed by a command substitution is a hidden command', () => {
  beforeAll(() => initShellParser());

  it('holds at least 15 hostile spellings and 15 ordinary commands', () => {
    expect(HIDDEN_NAME_HOSTILE.length).toBeGreaterThanOrEqual(15);
    expect(HIDDEN_NAME_BENIGN.length).toBeGreaterThanOrEqual(15);
  });

  it.each(HIDDEN_NAME_HOSTILE.map((h) => [h.command, h.expect] as const))('reports %j', (command, exp) => {
    expect(missing(command, exp), `${command} → ${fired(command).join(', ') || 'nothing'}`).toEqual([]);
  });

  it.each(HIDDEN_NAME_BENIGN.map((c) => [c] as const))('lets %j through', (command) => {
    expect(shellFindings(command)).toEqual([]);
  });
});
