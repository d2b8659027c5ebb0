import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type Statement } from '../src/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The statements of a source, without spans, for trees written by hand. */
function tree(source: string): unknown {
  const r = parsePolicy(source, 't.policy');
  if (!r.ok) throw new Error(r.error.map((d) => d.message).join('\n'));
  return JSON.parse(JSON.stringify(r.value.statements, (k, v) => (k === 'span' ? undefined : v)));
}

describe('the grammar', () => {
  it('parses the file-level statements', () => {
    expect(
      tree(
        'default deny\ndefault principal "bot" tier standard\ninclude "x.policy"\nprinciple "Be careful."\n',
      ),
    ).toEqual([
      { kind: 'default', effect: 'deny' },
      { kind: 'default-principal', id: 'bot', tier: 'standard' },
      { kind: 'include', path: 'x.policy' },
      { kind: 'principle', text: 'Be careful.' },
    ]);
  });

  it('joins a principle continued on lines that start with a quoted string', () => {
    expect(tree('principle "One,"\n  "two."\n')).toEqual([{ kind: 'principle', text: 'One, two.' }]);
  });

  it('parses tier and tool blocks into settings, with refill rates converted to per second', () => {
    const src = [
      'tier low',
      '  prefilter block secrets, injection',
      '  probe off',
      '  limit per-tool 10 refill 30/m',
      '  limit concurrent 2',
      'end',
      'tool "db_*" server "prod"',
      '  require tier low',
      '  probe threshold 0.25',
      '  prefilter block none',
      'end',
    ].join('\n');
    expect(tree(src)).toEqual([
      {
        kind: 'tier',
        name: 'low',
        settings: [
          { kind: 'prefilter', block: ['secrets', 'injection'] },
          { kind: 'probe', enabled: false },
          { kind: 'limit', scope: 'per-tool', capacity: 10, refillPerSec: 0.5 },
          { kind: 'concurrent', max: 2 },
        ],
      },
      {
        kind: 'tool',
        match: 'db_*',
        server: 'prod',
        settings: [
          { kind: 'require-tier', tier: 'low' },
          { kind: 'probe', threshold: 0.25 },
          { kind: 'prefilter', block: 'none' },
        ],
      },
    ]);
  });

  it('gives and tighter binding than or, and reads not, parentheses and several when lines', () => {
    const src = [
      'deny r',
      '  when tool == "a" or tool == "b" and not arg.x exists',
      '  when (server == "s" or principal != "p")',
      '  unless tier in [low, "high"]',
      '  reason "why"',
      'end',
    ].join('\n');
    const tool = (v: string) => ({
      kind: 'predicate',
      subject: { kind: 'tool' },
      op: '==',
      value: { kind: 'string', value: v },
    });
    expect(tree(src)).toEqual([
      {
        kind: 'rule',
        effect: 'deny',
        name: 'r',
        reason: 'why',
        when: {
          kind: 'and',
          items: [
            {
              kind: 'or',
              items: [
                tool('a'),
                {
                  kind: 'and',
                  items: [
                    tool('b'),
                    {
                      kind: 'not',
                      item: {
                        kind: 'predicate',
                        subject: { kind: 'arg', path: ['x'] },
                        op: 'exists',
                        value: { kind: 'none' },
                      },
                    },
                  ],
                },
              ],
            },
            {
              kind: 'or',
              items: [
                {
                  kind: 'predicate',
                  subject: { kind: 'server' },
                  op: '==',
                  value: { kind: 'string', value: 's' },
                },
                {
                  kind: 'predicate',
                  subject: { kind: 'principal' },
                  op: '!=',
                  value: { kind: 'string', value: 'p' },
                },
              ],
            },
            {
              kind: 'not',
              item: {
                kind: 'predicate',
                subject: { kind: 'tier' },
                op: 'in',
                value: {
                  kind: 'list',
                  items: [
                    { kind: 'ident', name: 'low' },
                    { kind: 'string', value: 'high' },
                  ],
                },
              },
            },
          ],
        },
      },
    ]);
  });

  it('reads every operator and value kind, nested argument paths and continuation lines', () => {
    const src = [
      'allow r',
      '  when arg.a.b."c d".0 >= -1.5 and arg.n < 10 and arg.f == false and arg.s not in ["x", 2]',
      '    and any string matches /a\\/b\\d+/im and arg.p glob ["/a/**", "b"] and arg.t contains "x"',
      '    or arg.u startswith "http" or arg.u endswith ".sh" or arg.m missing',
      '  reason "r"',
      'end',
    ].join('\n');
    const t = tree(src) as [{ when: { kind: string; items: Array<Record<string, unknown>> } }];
    expect(t[0].when.kind).toBe('or');
    const first = t[0].when.items[0] as { items: Array<Record<string, unknown>> };
    expect(first.items.map((p) => p['op'])).toEqual([
      '>=',
      '<',
      '==',
      'not-in',
      'matches',
      'glob',
      'contains',
    ]);
    expect(first.items[0]).toEqual({
      kind: 'predicate',
      subject: { kind: 'arg', path: ['a', 'b', 'c d', '0'] },
      op: '>=',
      value: { kind: 'number', value: -1.5 },
    });
    expect(first.items[4]).toMatchObject({
      subject: { kind: 'any-string' },
      value: { kind: 'regex', source: 'a/b\\d+', flags: 'im' },
    });
    expect(t[0].when.items.slice(1).map((p) => p['op'])).toEqual(['startswith', 'endswith', 'missing']);
  });

  it('ignores comments and blank lines, and accepts CRLF line ends', () => {
    expect(tree('# top\r\n\r\ndefault allow # trailing\r\n\r\n# end\r\n')).toEqual([
      { kind: 'default', effect: 'allow' },
    ]);
  });

  it('matches the golden tree of the example policy, spans included', () => {
    const source = readFileSync(fixture('example.policy'), 'utf8');
    const r = parsePolicy(source, 'example.policy');
    expect(r.ok).toBe(true);
    const golden = JSON.parse(readFileSync(fixture('example.ast.json'), 'utf8')) as Statement[];
    expect(r.ok && JSON.parse(JSON.stringify(r.value.statements))).toEqual(golden);
  });

  it('records the span of each predicate so that errors can point at it', () => {
    const r = parsePolicy('deny r\n  when  tool glob "x*"\n  reason "y"\nend\n', 'a.policy');
    const rule = r.ok ? r.value.statements[0] : undefined;
    expect(rule?.kind === 'rule' && rule.when?.span).toEqual({ line: 2, col: 9, length: 14 });
  });
});
