import { describe, expect, it } from 'vitest';
import { callOf, fires, policyOf, ruleOf } from './helpers.js';

const both = policyOf(`default allow
allow reads-first
  when tool glob "read_*"
  reason "reads are fine"
end
deny no-secrets
  when arg.path glob "/secrets/**"
  reason "secrets stay"
end
allow reads-second
  when tool == "read_file"
  reason "never named: reads-first comes first"
end
deny secrets-again
  when arg.path glob "/secrets/a/**"
  reason "never named: no-secrets comes first"
end
`);

describe('precedence', () => {
  it('lets a matching deny win over a matching allow written before it', () => {
    expect(both.match(callOf('read_file', { path: '/secrets/a/key' }))).toEqual({
      decision: 'deny',
      rule: 'no-secrets',
      reason: 'secrets stay',
    });
  });

  it('names the first matching allow when no deny matches', () => {
    expect(both.match(callOf('read_file', { path: '/srv/x' }))).toMatchObject({
      decision: 'allow',
      rule: 'reads-first',
    });
  });

  it('falls back to the file default when no rule matches, and says so', () => {
    expect(both.match(callOf('write_file', { path: '/srv/x' }))).toEqual({
      decision: 'default',
      reason: "no rule matched; the policy's default is allow",
    });
    expect(policyOf('default deny\n').default).toBe('deny');
  });

  it('matches every call with a rule that has no condition', () => {
    const p = policyOf('default allow\ndeny lockdown\n  reason "maintenance"\nend\n');
    expect(p.match(callOf('anything')).rule).toBe('lockdown');
  });
});

describe('arrays and missing values are read in the direction that blocks', () => {
  it('fires a deny rule when any element of an array matches', () => {
    const p = ruleOf('deny', 'arg.paths glob "/etc/**"');
    expect(fires(p, callOf('t', { paths: ['/home/a', '/etc/passwd'] }))).toBe(true);
    expect(fires(p, callOf('t', { paths: ['/home/a', '/home/b'] }))).toBe(false);
  });

  it('fires an allow rule only when every element of an array matches', () => {
    const p = ruleOf('allow', 'arg.paths glob "/srv/**"');
    expect(fires(p, callOf('t', { paths: ['/srv/a', '/srv/b'] }))).toBe(true);
    expect(fires(p, callOf('t', { paths: ['/srv/a', '/etc/passwd'] }))).toBe(false);
    expect(fires(p, callOf('t', { paths: [] }))).toBe(false);
  });

  it('flips the reading under not: a deny of "not inside" fires if any element is outside', () => {
    const p = ruleOf('deny', 'not arg.paths glob "/srv/**"');
    expect(fires(p, callOf('t', { paths: ['/srv/a', '/etc/passwd'] }))).toBe(true);
    expect(fires(p, callOf('t', { paths: ['/srv/a', '/srv/b'] }))).toBe(false);
  });

  it('reads objects inside arrays along the path', () => {
    const p = ruleOf('deny', 'arg.files.path glob "**/.env"');
    expect(fires(p, callOf('t', { files: [{ path: 'a.txt' }, { path: 'app/.env' }] }))).toBe(true);
    expect(fires(p, callOf('t', { files: [{ path: 'a.txt' }] }))).toBe(false);
  });

  it('treats a missing argument as not matching, so != and not in fire on it', () => {
    expect(fires(ruleOf('deny', 'arg.mode == "safe"'), callOf('t'))).toBe(false);
    expect(fires(ruleOf('deny', 'arg.mode != "safe"'), callOf('t'))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.mode not in ["a", "b"]'), callOf('t', { mode: 'c' }))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.mode missing'), callOf('t'))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.mode exists'), callOf('t', { mode: 0 }))).toBe(true);
  });

  it('denies on a numeric comparison with a value that is present but not a number', () => {
    const deny = ruleOf('deny', 'arg.amount > 100');
    expect(fires(deny, callOf('pay', { amount: '5000' }))).toBe(true);
    expect(fires(deny, callOf('pay', { amount: '5,000' }))).toBe(true);
    expect(fires(deny, callOf('pay', { amount: 50 }))).toBe(false);
    const allow = ruleOf('allow', 'arg.amount <= 100');
    expect(fires(allow, callOf('pay', { amount: 'lots' }))).toBe(false);
    expect(fires(allow, callOf('pay', { amount: '99.5' }))).toBe(true);
  });

  it('ranks tiers in declaration order and treats an unknown tier as the least trusted', () => {
    const deny = ruleOf('deny', 'tier < trusted');
    expect(fires(deny, callOf('t', {}, 'standard'))).toBe(true);
    expect(fires(deny, callOf('t', {}, 'trusted'))).toBe(false);
    expect(fires(deny, callOf('t', {}, 'root'))).toBe(true);
    const allow = ruleOf('allow', 'tier >= trusted');
    expect(fires(allow, callOf('t', {}, 'privileged'))).toBe(true);
    expect(fires(allow, callOf('t', {}, 'root'))).toBe(false);
  });

  it('matches principal, server and method', () => {
    const p = ruleOf('deny', 'principal in ["mallory"] or server == "prod" and method == "resources/read"');
    expect(fires(p, callOf('t', {}, 'standard', { principal: 'mallory' }))).toBe(true);
    expect(fires(p, callOf('t', {}, 'standard', { server: 'prod', method: 'resources/read' }))).toBe(true);
    expect(fires(p, callOf('t', {}, 'standard', { server: 'prod' }))).toBe(false);
    expect(fires(ruleOf('deny', 'server missing'), callOf('t'))).toBe(true);
  });
});

describe('the tool-name index', () => {
  const p = policyOf(`default allow
deny general-first
  when arg.x == 1
  reason "general, written first"
end
deny indexed-second
  when tool in ["a", "b"] and arg.x exists
  reason "indexed, written second"
end
deny general-third
  when arg.x exists
  reason "general, written third"
end
allow indexed-allow
  when tool == "a"
  reason "indexed allow"
end
`);

  it('keeps policy order between rules that name their tool and rules that do not', () => {
    expect(p.match(callOf('a', { x: 1 })).rule).toBe('general-first');
    expect(p.match(callOf('b', { x: 2 })).rule).toBe('indexed-second');
    expect(p.match(callOf('c', { x: 2 })).rule).toBe('general-third');
    expect(p.match(callOf('a')).rule).toBe('indexed-allow');
    expect(p.match(callOf('c')).decision).toBe('default');
  });

  it('finds indexed rules by the normalised tool name', () => {
    expect(p.match(callOf('ａ')).rule).toBe('indexed-allow');
  });
});

describe('explain', () => {
  it('lists every matching rule in order, the decider first among its effect', () => {
    const p = policyOf(`default allow
allow reads
  when tool == "read"
  reason "r"
end
deny keys
  when arg.path glob "**/.ssh/**"
  reason "k"
end
`);
    const { match, matched } = p.explain(callOf('read', { path: '/h/.ssh/id' }));
    expect(match.rule).toBe('keys');
    expect(matched.map((r) => [r.name, r.effect, r.line])).toEqual([
      ['reads', 'allow', 2],
      ['keys', 'deny', 6],
    ]);
    expect(p.explain(callOf('write')).matched).toEqual([]);
  });
});
