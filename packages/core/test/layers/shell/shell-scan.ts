import { scanArguments, type ToolDefinition } from '../../../src/index.js';

/** The detectors the shell analysis feeds (and the scan's own bound): ordinary commands raise none. */
export const SHELL_IDS: ReadonlySet<string> = new Set([
  'fetch-exec',
  'reverse-shell',
  'destructive-command',
  'persistence',
  'privilege-change',
  'credential',
  'scan-limit',
]);

/** A shell tool, whose `command` argument is read as a command. */
export const shellTool: ToolDefinition = { name: 'run_command', inputSchema: { type: 'object' } };

/** The blocking findings (`detector/code`) of `command` passed to a shell tool. */
export function fired(command: string): string[] {
  return scanArguments({ command }, shellTool)
    .filter((f) => f.recordOnly !== true)
    .map((f) => `${f.detector}/${f.code}`);
}
