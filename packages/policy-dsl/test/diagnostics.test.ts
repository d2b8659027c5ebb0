import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  formatDiagnostic,
  loadPolicyFile,
  type PolicyDiagnostic,
  PolicyErrorCode,
  parsePolicy,
} from '../src/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Every diagnostic of a source (parse errors, else compile errors and warnings). */
function problems(source: string): PolicyDiagnostic[] {
  const parsed = parsePolicy(source, 'p.policy');
  if (!parsed.ok) return parsed.error;
  const compiled = compilePolicy(parsed.value);
  return compiled.ok ? [...compiled.value.warnings] : compiled.error;
}

const rule = (when: string): string => `default allow\ndeny r\n  when ${when}\n  reason "x"\nend\n`;

describe('diagnostics', () => {
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
      'an unknown tier in a rule',
      rule('tier >= trused'),
      PolicyErrorCode.UnknownTier,
      3,
      16,
      /unknown tier 'trused'; tiers are untrusted, standard, trusted, privileged/,
    ],
    [
      'an unknown tier in a tool block',
      'default allow\ntool "x"\n  require tier gods\nend\n',
      PolicyErrorCode.UnknownTier,
      3,
      3,
      /unknown tier 'gods'/,
    ],
    [
      'an unknown default principal tier',
      'default allow\ndefault principal "a" tier gods\n',
      PolicyErrorCode.UnknownTier,
      2,
      1,
      /default principal's tier 'gods'/,
    ],
    [
      'glob on a tier',
      rule('tier glob "x*"'),
      PolicyErrorCode.TypeMismatch,
      3,
      8,
      /tier is compared with ==/,
    ],
    [
      'a numeric comparison on text',
      rule('tool > 3'),
      PolicyErrorCode.TypeMismatch,
      3,
      8,
      /'>' compares numbers, but tool is text/,
    ],
    [
      'a number compared with a tool name',
      rule('tool == 3'),
      PolicyErrorCode.TypeMismatch,
      3,
      16,
      /tool is text: write the value in "quotes"/,
    ],
    [
      'matches without a regex',
      rule('tool matches "x"'),
      PolicyErrorCode.TypeMismatch,
      3,
      21,
      /'matches' takes a \/regular expression\//,
    ],
    ['in without a list', rule('arg.x in "a"'), PolicyErrorCode.TypeMismatch, 3, 17, /'in' takes a \[list\]/],
    [
      'exists on an always-present subject',
      rule('tool exists'),
      PolicyErrorCode.TypeMismatch,
      3,
      8,
      /tool is always present/,
    ],
    [
      'probe alpha out of range',
      'tier low\n  probe on alpha 1.5\nend\n',
      PolicyErrorCode.OutOfRange,
      2,
      18,
      /alpha must be from 0 to 1, got 1.5/,
    ],
    [
      'probe threshold out of range',
      'tier low\n  probe threshold 1\nend\n',
      PolicyErrorCode.OutOfRange,
      2,
      19,
      /strictly between 0 and 1/,
    ],
    [
      'a fractional limit',
      'tier low\n  limit concurrent 2.5\nend\n',
      PolicyErrorCode.OutOfRange,
      2,
      20,
      /whole number above 0/,
    ],
    [
      'a regex RE2 cannot run in linear time',
      rule('arg.x matches /(a)\\1/'),
      PolicyErrorCode.InvalidRegex,
      3,
      22,
      /invalid regular expression.*no lookaround or backreferences/,
    ],
    [
      'a lookahead',
      rule('arg.x matches /(?=a)/'),
      PolicyErrorCode.InvalidRegex,
      3,
      22,
      /invalid regular expression/,
    ],
    [
      'an unknown regex flag',
      rule('arg.x matches /a/g'),
      PolicyErrorCode.InvalidRegex,
      3,
      22,
      /unknown regular expression flag 'g'/,
    ],
    [
      'a regex too large to run on every call',
      rule('arg.x matches /(\\w+\\s*){500}/'),
      PolicyErrorCode.InvalidRegex,
      3,
      22,
      /too large to run on every call \(RE2 program size \d+, at most 1000\)/,
    ],
    [
      'conditions nested too deeply',
      rule(`${'('.repeat(100)}tool == "x"${')'.repeat(100)}`),
      PolicyErrorCode.UnexpectedToken,
      3,
      73,
      /nest at most 64 levels/,
    ],
    ['an invalid glob', rule('arg.x glob "[z-a]"'), PolicyErrorCode.InvalidGlob, 3, 19, /invalid glob/],
    [
      'a duplicate rule name',
      'default allow\ndeny r\n  reason "a"\nend\ndeny r\n  when tool == "x"\n  reason "b"\nend\n',
      PolicyErrorCode.Duplicate,
      5,
      1,
      /rule 'r' is already defined at p.policy:2/,
    ],
    [
      'a duplicate tier',
      'default allow\ndefault principal "a" tier t\ntier t\nend\ntier t\nend\n',
      PolicyErrorCode.Duplicate,
      5,
      1,
      /tier 't' is declared twice/,
    ],
    [
      'a second default',
      'default allow\ndefault deny\n',
      PolicyErrorCode.Duplicate,
      2,
      1,
      /a second 'default'/,
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
      'a missing default',
      'principle "p"\n',
      PolicyErrorCode.Missing,
      1,
      1,
      /no 'default allow' or 'default deny'/,
    ],
    [
      'a block never closed',
      'tier low\n  probe on\n',
      PolicyErrorCode.UnexpectedToken,
      1,
      1,
      /tier block is never closed by 'end'/,
    ],
    [
      'an include without a loader',
      'default allow\ninclude "x.policy"\n',
      PolicyErrorCode.IncludeUnresolved,
      2,
      1,
      /load the policy with loadPolicyFile/,
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

  it('reports a missing included file at the include line, and a missing root file as an I/O error', async () => {
    const missing = await loadPolicyFile(fixture('nope.policy'));
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error[0]).toMatchObject({ code: PolicyErrorCode.Io, line: 1, col: 1 });
    const r = await loadPolicyFile(fixture('bad-include.policy'));
    const d = !r.ok ? r.error[0] : undefined;
    expect(d).toMatchObject({ code: PolicyErrorCode.IncludeNotFound, line: 2, col: 1 });
    expect(d!.message).toMatch(/cannot read included file .*missing\.policy \(ENOENT\)/);
  });

  it('reports an include cycle with the chain of files', async () => {
    const r = await loadPolicyFile(fixture('cycle-a.policy'));
    expect(r.ok).toBe(false);
    const d = !r.ok ? r.error.find((x) => x.code === PolicyErrorCode.IncludeCycle) : undefined;
    expect(d).toMatchObject({ line: 1, col: 1 });
    expect(d!.file).toMatch(/cycle-b\.policy$/);
    expect(d!.message).toMatch(/include cycle: .*cycle-a\.policy -> .*cycle-b\.policy -> .*cycle-a\.policy/);
  });
});

describe('robustness', () => {
  /** A small seeded generator, so a failure can be replayed. */
  function random(seed: number): () => number {
    let x = seed;
    return () => {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      return x / 2_147_483_648;
    };
  }
  const WORDS = [
    'default',
    'allow',
    'deny',
    'when',
    'unless',
    'reason',
    'end',
    'tier',
    'tool',
    'include',
    'principle',
    'and',
    'or',
    'not',
    'in',
    'glob',
    'matches',
    'arg.x',
    'any',
    'string',
    '==',
    '<',
    '(',
    ')',
    '[',
    ']',
    ',',
    '"s"',
    '/a+/',
    '3',
    '-1.5',
    'probe',
    'limit',
    'per-tool',
    'refill',
    '2/s',
    '\n',
    '\n',
    '#',
    '"',
    '\\',
    '{',
    '\u0000',
    'é',
  ];

  it('returns diagnostics, never throws, for 2,000 random token soups', () => {
    const next = random(42);
    for (let n = 0; n < 2_000; n++) {
      const length = Math.floor(next() * 40);
      const source = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
      expect(() => problems(source), JSON.stringify(source)).not.toThrow();
    }
  });
});
