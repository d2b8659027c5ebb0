import { describe, expect, it } from 'vitest';
import { formatDiagnostic, PolicyErrorCode } from '../src/index.js';
import { problems, ruleSource as rule } from './helpers.js';

describe('unreachable rules', () => {
  it('warns about a rule whose conditions contradict each other', () => {
    const found = problems(rule('tool == "a" and tool == "b"'));
    expect(found).toMatchObject([{ severity: 'warning', code: PolicyErrorCode.UnreachableRule, line: 2 }]);
    expect(found[0]!.message).toMatch(/can never match: tool cannot equal both "a" and "b"/);
    expect(formatDiagnostic(found[0]!)).toMatch(/^p\.policy:2:1: warning: rule 'r' can never match/);
  });

  it('warns about a tier condition no tier satisfies', () => {
    const found = problems(rule('tier < untrusted'));
    expect(found[0]).toMatchObject({
      code: PolicyErrorCode.UnreachableRule,
      message: expect.stringMatching(/no tier satisfies/),
    });
  });

  it('warns about an allow rule that a deny rule always overrides', () => {
    const source = [
      'default deny',
      'deny no-shell',
      '  when tool == "shell"',
      '  reason "no"',
      'end',
      'allow shell-for-admins',
      '  when tool == "shell" and principal == "admin"',
      '  reason "yes"',
      'end',
    ].join('\n');
    const found = problems(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'warning', code: PolicyErrorCode.UnreachableRule, line: 6 });
    expect(found[0]!.message).toMatch(
      /deny rule 'no-shell' \(p\.policy:2\) matches every call it matches, and deny wins/,
    );
  });

  it('warns about a rule that an earlier rule of the same effect always decides first', () => {
    const source =
      'default allow\ndeny a\n  when tool glob "x*"\n  reason "a"\nend\ndeny b\n  when tool glob "x*" and arg.y exists\n  reason "b"\nend\n';
    expect(problems(source)).toMatchObject([
      { line: 6, message: expect.stringMatching(/deny rule 'a' .* comes first/) },
    ]);
  });

  it('does not warn when rules overlap only partly', () => {
    const source =
      'default allow\ndeny a\n  when tool == "x" and arg.y exists\n  reason "a"\nend\nallow b\n  when tool == "x"\n  reason "b"\nend\n';
    expect(problems(source)).toEqual([]);
  });

  it('does not call two equalities on one argument a contradiction (arrays hold both)', () => {
    expect(problems(rule('arg.to == "a" and arg.to == "b"'))).toEqual([]);
  });
});

describe('unreachable rules, with tool and server names in canonical form', () => {
  const twoRules = (first: string, second: string): string =>
    `default deny\ndeny no-writes\n  when ${first}\n  reason "no"\nend\nallow writes-for-admins\n  when ${second} and principal == "admin"\n  reason "yes"\nend\n`;

  it('sees a deny on one spelling of a tool override an allow on another spelling', () => {
    for (const [a, b] of [
      ['tool == "write_file"', 'tool == "WriteFile"'],
      ['tool == "fs.write"', 'tool == "FS-WRITE"'],
      ['tool in ["edit-file", "write_file"]', 'tool in ["WriteFile", "edit_file"]'],
      ['tool glob "write_file"', 'tool == "Write-File"'],
      ['server == "File_System"', 'server == "filesystem"'],
    ]) {
      const found = problems(twoRules(a!, b!));
      expect(found, `${a} / ${b}`).toMatchObject([
        { code: PolicyErrorCode.UnreachableRule, line: 6, message: expect.stringMatching(/deny wins/) },
      ]);
    }
  });

  it('does not call two spellings of one tool name a contradiction', () => {
    expect(problems(rule('tool == "write_file" and tool == "WriteFile"'))).toEqual([]);
    expect(problems(rule('tool == "write_file" and tool == "read_file"'))[0]?.message).toMatch(
      /tool cannot equal both "write_file" and "read_file"/,
    );
  });

  it('reads a glob of `*` and names in canonical form, and keeps principals as written', () => {
    expect(problems(twoRules('tool glob "*write*"', 'tool glob "*Write*"'))).toMatchObject([{ line: 6 }]);
    expect(
      problems(twoRules('tool glob ["*edit*", "*write*"]', 'tool glob ["*WRITE*", "*Edit*"]')),
    ).toMatchObject([{ line: 6 }]);
    expect(problems(twoRules('tool glob "*write*"', 'tool glob "*writer*"'))).toEqual([]);
    expect(problems(twoRules('principal == "Admin" and tool == "x"', 'tool == "x"'))).toEqual([]);
  });
});
