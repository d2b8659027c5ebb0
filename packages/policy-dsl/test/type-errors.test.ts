import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile, PolicyErrorCode } from '../src/index.js';
import { problems, ruleSource as rule } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('type, tier, range and include errors', () => {
  const cases: Array<[string, string, string, number, number, RegExp]> = [
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
      'a missing default',
      'principle "p"\n',
      PolicyErrorCode.Missing,
      1,
      1,
      /no 'default allow' or 'default deny'/,
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

  it('warns about a pre-filter detector no built-in detector has, without failing the policy', () => {
    const found = problems('default allow\ntier standard\n  prefilter block credential, credentail\nend\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      severity: 'warning',
      code: PolicyErrorCode.UnknownField,
      line: 3,
      col: 3,
    });
    expect(found[0]!.message).toMatch(
      /unknown pre-filter detector 'credentail' \(did you mean 'credential'\?\)/,
    );
  });

  it('reports type errors in the same run as syntax errors, but nothing a failed statement could cause', async () => {
    const r = await loadPolicyFile(fixture('syntax-and-type.policy'));
    expect(r.ok).toBe(false);
    // Line 10 names a tier that might have been declared by the block that failed on line 3.
    expect(!r.ok && r.error.map((d) => [d.line, d.code])).toEqual([
      [3, PolicyErrorCode.UnknownField],
      [6, PolicyErrorCode.TypeMismatch],
    ]);
  });
});
