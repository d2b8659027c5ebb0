import { describe, expect, it } from 'vitest';
import { formatDiagnostic, PolicyErrorCode } from '../src/index.js';
import { problems, ruleSource as rule } from './helpers.js';

describe('syntax errors', () => {
  const cases: Array<[string, string, string, number, number, RegExp]> = [
    [
      'an unexpected character',
      'default allow\n@\n',
      PolicyErrorCode.UnexpectedCharacter,
      2,
      1,
      /unexpected character '@' \(U\+0040\)/,
    ],
    [
      'an unterminated string',
      'principle "never closed\n',
      PolicyErrorCode.UnterminatedLiteral,
      1,
      11,
      /string is not closed/,
    ],
    [
      'an unterminated regex',
      rule('tool matches /abc'),
      PolicyErrorCode.UnterminatedLiteral,
      3,
      21,
      /regular expression is not closed/,
    ],
    [
      'an unknown escape',
      'principle "a\\qb"\n',
      PolicyErrorCode.InvalidEscape,
      1,
      13,
      /unknown escape '\\q'/,
    ],
    [
      'an unexpected token',
      'default allow extra\n',
      PolicyErrorCode.UnexpectedToken,
      1,
      15,
      /expected the end of the line, found 'extra'/,
    ],
    [
      'an unknown statement',
      'defualt allow\n',
      PolicyErrorCode.UnknownField,
      1,
      1,
      /unknown statement 'defualt' \(did you mean 'default'\?\)/,
    ],
    [
      'an unknown tier setting',
      'tier low\n  probz on\nend\n',
      PolicyErrorCode.UnknownField,
      2,
      3,
      /unknown tier setting 'probz' \(did you mean 'probe'\?\)/,
    ],
    [
      'require tier in a tier block',
      'tier low\n  require tier low\nend\n',
      PolicyErrorCode.UnknownField,
      2,
      3,
      /belongs in tool blocks/,
    ],
    [
      'an unknown condition subject',
      rule('toool == "x"'),
      PolicyErrorCode.UnknownField,
      3,
      8,
      /unknown condition subject 'toool' \(did you mean 'tool'\?\)/,
    ],
    [
      'an unknown rule line',
      'deny r\n  whem tool == "x"\n  reason "x"\nend\n',
      PolicyErrorCode.UnknownField,
      2,
      3,
      /did you mean 'when'/,
    ],
    [
      'conditions nested too deeply',
      rule(`${'('.repeat(100)}tool == "x"${')'.repeat(100)}`),
      PolicyErrorCode.UnexpectedToken,
      3,
      73,
      /nest at most 64 levels/,
    ],
    [
      'a rule without a reason',
      'deny r\n  when tool == "x"\nend\n',
      PolicyErrorCode.Missing,
      1,
      1,
      /rule 'r' needs a reason/,
    ],
    [
      'a block never closed',
      'tier low\n  probe on\n',
      PolicyErrorCode.UnexpectedToken,
      1,
      1,
      /tier block is never closed by 'end'/,
    ],
  ];

  it.each(cases)('reports %s with its code at file:line:col', (_name, source, code, line, col, message) => {
    const found = problems(source);
    const d = found.find((x) => x.code === code);
    expect(d, JSON.stringify(found, null, 2)).toBeDefined();
    expect({ line: d!.line, col: d!.col }).toEqual({ line, col });
    expect(d!.message).toMatch(message);
    expect(d!.file).toBe('p.policy');
  });

  it('formats a diagnostic as FILE:LINE:COL: message with a caret under the span', () => {
    const d = problems(rule('tier >= trused')).find((x) => x.code === PolicyErrorCode.UnknownTier)!;
    expect(formatDiagnostic(d)).toBe(
      [
        "p.policy:3:16: unknown tier 'trused'; tiers are untrusted, standard, trusted, privileged",
        '    3 |   when tier >= trused',
        '      |                ^^^^^^',
      ].join('\n'),
    );
  });

  it('reports every error of a file, not just the first', () => {
    const found = problems('defualt allow\ntier low\n  probz on\n  limit concurrent 0\nend\ndeny r\nend\n');
    expect(found.map((d) => [d.code, d.line])).toEqual([
      [PolicyErrorCode.UnknownField, 1],
      [PolicyErrorCode.UnknownField, 3],
      [PolicyErrorCode.OutOfRange, 4],
      [PolicyErrorCode.Missing, 6],
    ]);
  });

  it('keeps line numbers right after a backslash at the end of a line', () => {
    const found = problems('principle "a\\\nb"\ndefault allow\n@\n');
    expect(found.map((d) => [d.code, d.line])).toEqual([
      [PolicyErrorCode.UnterminatedLiteral, 1],
      [PolicyErrorCode.UnknownField, 2],
      [PolicyErrorCode.UnterminatedLiteral, 2],
      [PolicyErrorCode.UnexpectedCharacter, 4],
    ]);
  });
});
