import { describe, expect, it } from 'vitest';
import { ARGUMENT_LIMITS, compileGlob, pathForms } from '../src/index.js';
import { callOf, fires, ruleOf } from './helpers.js';

describe('path globs', () => {
  const etc = ruleOf('deny', 'arg.path glob ["/etc/shadow", "**/etc/passwd"]');

  it('collapses . and .. before globbing', () => {
    expect(fires(etc, callOf('read', { path: '/etc/../etc/shadow' }))).toBe(true);
    expect(fires(etc, callOf('read', { path: '/etc//./shadow' }))).toBe(true);
    expect(fires(etc, callOf('read', { path: '/var/www/../../etc/shadow' }))).toBe(true);
    expect(fires(etc, callOf('read', { path: '/etc/shadow/' }))).toBe(true);
  });

  it('catches a relative path that climbs above its base', () => {
    expect(pathForms('./a/../../etc/passwd')).toEqual(['../etc/passwd', 'etc/passwd']);
    expect(fires(etc, callOf('read', { path: './a/../../etc/passwd' }))).toBe(true);
    expect(fires(etc, callOf('read', { path: '../../../../etc/passwd' }))).toBe(true);
  });

  it('reads backslashes as separators', () => {
    const p = ruleOf('deny', 'arg.path glob "C:/Windows/**"');
    expect(fires(p, callOf('write', { path: 'C:\\Windows\\System32\\drivers\\etc\\hosts' }))).toBe(true);
  });

  it('keeps * within a segment and lets ** cross segments, dot files included', () => {
    expect(compileGlob('/srv/*.txt', 'path')('/srv/a.txt')).toBe(true);
    expect(compileGlob('/srv/*.txt', 'path')('/srv/a/b.txt')).toBe(false);
    expect(compileGlob('/srv/**', 'path')('/srv')).toBe(true);
    expect(compileGlob('/srv/**', 'path')('/srv/a/.hidden/b')).toBe(true);
    expect(compileGlob('**/.ssh/id_*', 'path')('/home/u/.ssh/id_rsa')).toBe(true);
    expect(compileGlob('**/.ssh/id_*', 'path')('.ssh/id_rsa')).toBe(true);
    expect(compileGlob('{a,b}/[!x]?', 'path')('b/yz')).toBe(true);
    expect(compileGlob('{a,b}/[!x]?', 'path')('b/xz')).toBe(false);
    expect(compileGlob('a\\*', 'path')('a*')).toBe(true);
    expect(compileGlob('a\\*', 'path')('ab')).toBe(false);
  });

  it('lets * cross anything in tool-name globs', () => {
    const p = ruleOf('deny', 'tool glob "*read*"');
    expect(fires(p, callOf('fs/read_file'))).toBe(true);
    expect(fires(p, callOf('write_file'))).toBe(false);
  });
});

describe('Unicode tricks', () => {
  it('folds full-width and compatibility characters (NFKC) before matching', () => {
    const p = ruleOf('deny', 'arg.path glob "/etc/**"');
    expect(fires(p, callOf('read', { path: '／ｅｔｃ／ｓｈａｄｏｗ' }))).toBe(true);
    const cmd = ruleOf('deny', 'arg.cmd contains "rm -rf"');
    expect(fires(cmd, callOf('sh', { cmd: 'ｒｍ －ｒｆ /' }))).toBe(true);
  });

  it('removes invisible format characters (zero-width spaces, bidi overrides)', () => {
    const p = ruleOf('deny', 'any string matches /\\bsudo\\b/');
    expect(fires(p, callOf('sh', { cmd: 'su\u200Bdo reboot' }))).toBe(true);
    expect(fires(p, callOf('sh', { cmd: 'su\u202Edo reboot' }))).toBe(true);
  });

  it('normalises tool names too', () => {
    expect(fires(ruleOf('deny', 'tool == "shell"'), callOf('ｓｈｅｌｌ'))).toBe(true);
  });

  it('folds lookalike letters in tool names, but not in argument text (left to the pre-filter)', () => {
    // Cyrillic 'е' (U+0435) in place of Latin 'e': tool names compare in canonical form, which folds it.
    expect(fires(ruleOf('deny', 'tool == "shell"'), callOf('sh\u0435ll'))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.x == "shell"'), callOf('t', { x: 'sh\u0435ll' }))).toBe(false);
  });
});

describe('operators', () => {
  it('matches regular expressions anywhere in the string, with flags', () => {
    const p = ruleOf('deny', 'arg.sql matches /drop\\s+table/i');
    expect(fires(p, callOf('q', { sql: 'select 1; DROP   TABLE users' }))).toBe(true);
    expect(fires(p, callOf('q', { sql: 'select 1' }))).toBe(false);
  });

  it('looks at every string, keys included, with any string', () => {
    const p = ruleOf('deny', 'any string contains "BEGIN PRIVATE KEY"');
    expect(fires(p, callOf('t', { a: { b: ['x', { c: '-----BEGIN PRIVATE KEY-----' }] } }))).toBe(true);
    expect(fires(p, callOf('t', { a: { 'BEGIN PRIVATE KEY': 1 } }))).toBe(true);
    expect(fires(p, callOf('t', { a: 1 }))).toBe(false);
  });

  it('keeps any string existential under not', () => {
    const p = ruleOf('deny', 'tool == "q" and not any string matches /where/i');
    expect(fires(p, callOf('q', { sql: 'delete from t where id = 1', db: 'main' }))).toBe(false);
    expect(fires(p, callOf('q', { sql: 'delete from t', db: 'main' }))).toBe(true);
  });

  it('compares equality on numbers, booleans and strings, and membership on lists', () => {
    expect(fires(ruleOf('deny', 'arg.force == true'), callOf('push', { force: true }))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.force == true'), callOf('push', { force: 'true' }))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.force == true'), callOf('push', { force: 1 }))).toBe(false);
    expect(fires(ruleOf('deny', 'arg.n == 3'), callOf('t', { n: 3 }))).toBe(true);
    expect(fires(ruleOf('deny', 'arg.c in ["EUR", "USD"]'), callOf('t', { c: 'USD' }))).toBe(true);
    expect(
      fires(ruleOf('deny', 'arg.u startswith "http:" or arg.u endswith ".sh"'), callOf('t', { u: 'x.sh' })),
    ).toBe(true);
  });

  it('does not read inherited properties of the arguments', () => {
    expect(fires(ruleOf('deny', 'arg.constructor exists'), callOf('t', {}))).toBe(false);
    expect(fires(ruleOf('deny', 'arg.toString exists'), callOf('t', {}))).toBe(false);
  });
});

describe('hostile input', () => {
  it('runs a catastrophic-backtracking regular expression in linear time (RE2)', () => {
    const p = ruleOf('deny', 'arg.s matches /^(a+)+$/');
    const input = `${'a'.repeat(50_000)}!`;
    const start = performance.now();
    expect(fires(p, callOf('t', { s: input }))).toBe(false);
    // A backtracking engine needs longer than the age of the universe here; RE2 needs milliseconds.
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('runs a glob that makes backtracking glob engines hang in linear time', () => {
    const p = ruleOf('deny', 'arg.s glob "**/a*a*a*a*a*a*a*a*a*a*a*b"');
    const start = performance.now();
    expect(fires(p, callOf('t', { s: 'a'.repeat(5_000) }))).toBe(false);
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('denies as a failure when the arguments are cyclic, too deep or too many', () => {
    const p = ruleOf('deny', 'any string contains "x"');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(p.match(callOf('t', cyclic))).toMatchObject({
      decision: 'deny',
      failure: true,
      reason: 'arguments contain a cycle',
    });
    let deep: Record<string, unknown> = { leaf: 'y' };
    for (let i = 0; i < ARGUMENT_LIMITS.depth + 5; i++) deep = { d: deep };
    expect(p.match(callOf('t', deep))).toMatchObject({ decision: 'deny', failure: true });
    const wide = { items: Array.from({ length: ARGUMENT_LIMITS.nodes + 1 }, () => 'y') };
    expect(p.match(callOf('t', wide))).toMatchObject({ decision: 'deny', failure: true });
  });

  it('denies as a failure when reading an argument throws', () => {
    const p = ruleOf('deny', 'arg.x == "y"');
    const args = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(p.match(callOf('t', args))).toMatchObject({ decision: 'deny', failure: true });
  });
});

describe('glob lists', () => {
  it('match when any pattern matches, whatever literal text each pattern needs', () => {
    const g = compileGlob(['**/.ssh/**', '/etc/*', '{x,y}z', '*'], 'path');
    expect(g('/home/u/.ssh/config')).toBe(true);
    expect(g('/etc/hosts')).toBe(true);
    expect(g('yz')).toBe(true);
    expect(g('anything-without-slash')).toBe(true);
    expect(g('a/b')).toBe(false);
    const literal = compileGlob(['*.pem', 'id_*'], 'path');
    expect(literal('server.pem')).toBe(true);
    expect(literal('id_rsa')).toBe(true);
    expect(literal('server.key')).toBe(false);
  });
});
