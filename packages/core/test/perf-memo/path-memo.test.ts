import { describe, expect, it } from 'vitest';
import { classesOf, classifyPath, normalizePath, type PathEnv } from '../../src/index.js';
import { GenerationCache } from '../../src/layers/bounded-cache.js';
import { MAX_MEMO_KEY } from '../../src/paths/path-memo.js';

describe('memoised path classification', () => {
  it('gives the same verdict on a repeated text as on the first reading', () => {
    const env: PathEnv = { home: '/home/u', cwd: '/home/u/project', user: 'u' };
    for (const raw of [
      '~/.ssh/id_rsa',
      './src/a.ts',
      '/etc/shadow',
      'https://x/y',
      '',
      '.git/hooks/pre-commit',
    ]) {
      const first = classifyPath(raw, env);
      const again = classifyPath(raw, env);
      expect(again).toEqual(first);
      expect(normalizePath(raw, env)).toBe(first?.normalized);
    }
    expect(classifyPath('~/.ssh/id_rsa', env)?.classes).toEqual(['code-loading', 'credential']);
  });

  it('reads a text anew in another environment, and in an environment changed in place', () => {
    const env = { home: '/home/u', cwd: '/home/u/project', user: 'u' };
    expect(normalizePath('notes.md', env)).toBe('/home/u/project/notes.md');
    expect(classifyPath('../.bashrc', env)?.classes).toEqual(['code-loading']);
    env.cwd = '/srv/app';
    expect(normalizePath('notes.md', env)).toBe('/srv/app/notes.md');
    expect(classifyPath('../.bashrc', env)?.normalized).toBe('/srv/.bashrc');
    expect(normalizePath('notes.md', { home: '/home/v', cwd: '/w' })).toBe('/w/notes.md');
    expect(normalizePath('notes.md')).toBe('notes.md');
    expect(classesOf('/home/u/.bashrc', env)).toEqual(['code-loading']);
    env.home = '/home/w';
    expect(classesOf('/home/u/.bashrc', env)).toEqual(['code-loading', 'system']);
  });

  it('shares a frozen verdict, while classesOf hands each caller its own array', () => {
    const verdict = classifyPath('~/.aws/credentials');
    expect(Object.isFrozen(verdict)).toBe(true);
    expect(Object.isFrozen(verdict?.classes)).toBe(true);
    const mine = classesOf('/srv/app/.env');
    expect(mine).toEqual(['credential']);
    mine.push('system');
    expect(classesOf('/srv/app/.env')).toEqual(['credential']);
  });

  it('classifies texts longer than the memo keeps, and many distinct texts, correctly', () => {
    const long = `/etc/${'a/'.repeat(MAX_MEMO_KEY)}shadow`;
    expect(classifyPath(long)?.classes).toEqual(['system']);
    for (let i = 0; i < 2000; i++) {
      expect(classifyPath(`/home/u/.config/app${i}/token`)?.classes).toEqual(['code-loading', 'credential']);
    }
    expect(classifyPath('/home/u/.config/app0/token')?.classes).toEqual(['code-loading', 'credential']);
  });
});

describe('GenerationCache', () => {
  it('holds at most two generations of entries and keeps what is used', () => {
    const cache = new GenerationCache<number, string>(4);
    cache.set(0, 'zero');
    for (let i = 1; i < 100; i++) {
      cache.set(i, String(i));
      expect(cache.get(0)).toBe('zero');
      expect(cache.size).toBeLessThanOrEqual(8);
    }
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(99)).toBe('99');
    expect(() => new GenerationCache(0)).toThrow(RangeError);
  });
});
