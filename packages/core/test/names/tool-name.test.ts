import { describe, expect, it } from 'vitest';
import { canonicalToolName, compileGlob, compileToolGlob } from '../../src/index.js';
import { toolNameWords } from '../../src/names/tool-name.js';

describe('canonicalToolName', () => {
  it.each([
    'RunShell',
    'runShell',
    'run_shell',
    'RUN_SHELL',
    'run-shell',
    'RUN.SHELL',
    'run/shell',
    'run::shell',
    ' run shell\t',
    'runshell',
    'ｒｕｎｓｈｅｌｌ',
    'ＲＵＮ＿ＳＨＥＬＬ',
    'run\u200bshell',
    'r\ufeffun\u2060shell',
    'run\u202eshell',
    'run\u00adshell',
    'runѕһеll',
    'RUNЅHELL',
    'rün_shell',
    'r\u0301un_shell',
    'run\u{e0041}shell',
    '𝐫𝐮𝐧𝐬𝐡𝐞𝐥𝐥',
  ])('reads %j as runshell', (name) => {
    expect(canonicalToolName(name)).toBe('runshell');
  });

  it('keeps every letter and digit, so distinct names stay distinct', () => {
    expect(canonicalToolName('mcp__shell__run_shell')).toBe('mcpshellrunshell');
    expect(canonicalToolName('write_file_v2')).toBe('writefilev2');
    expect(canonicalToolName('read_file')).not.toBe(canonicalToolName('write_file'));
    expect(canonicalToolName('run_shells')).not.toBe(canonicalToolName('run_shell'));
    // Letters of other scripts stay (lookalikes among them fold to Latin, as in the pre-filter).
    expect(canonicalToolName('Поиск_Файлов')).toHaveLength(11);
    expect(canonicalToolName('')).toBe('');
    expect(canonicalToolName('___')).toBe('');
  });

  it('is idempotent', () => {
    for (const name of ['Stripe.PaymentCreate', 'ｒｕｎ＿ｓｈｅｌｌ', 'поиск_файлов', '검색', 'naïve-Tool']) {
      const once = canonicalToolName(name);
      expect(canonicalToolName(once)).toBe(once);
    }
  });
});

describe('toolNameWords', () => {
  it.each([
    ['ReadFile', ['read', 'file']],
    ['readFile', ['read', 'file']],
    ['READ_FILE', ['read', 'file']],
    ['read-file', ['read', 'file']],
    ['getHTTPResponse', ['get', 'http', 'response']],
    ['ｒｅａｄ＿ｆｉｌｅ', ['read', 'file']],
    ['re\u200bad_file', ['read', 'file']],
    ['mcp__db__RunQuery', ['mcp', 'db', 'run', 'query']],
  ])('splits %j into %j', (name, words) => {
    expect(toolNameWords(name)).toEqual(words);
  });

  it('joins to the canonical name', () => {
    for (const name of ['Stripe.PaymentCreate', 'getHTTPResponse', 'ＢＡＳＨ', 'run_ѕhell']) {
      expect(toolNameWords(name).join('')).toBe(canonicalToolName(name));
    }
  });
});

describe('compileToolGlob', () => {
  const cases: Array<[glob: string | string[], name: string, matches: boolean]> = [
    ['*payment*', 'stripe/payment_create', true],
    ['*payment*', 'Stripe.PaymentCreate', true],
    ['*payment*', 'list_invoices', false],
    ['*PAYMENT*', 'create_payment', true],
    ['Run-Shell', 'run_shell', true],
    ['run_shell', 'run_shell_now', false],
    ['run?shell', 'runshell', true],
    ['run?shell', 'run_shell', true],
    ['run?shell', 'runxshell', true],
    ['run?shell', 'runxxshell', false],
    ['run[_-]shell', 'RunShell', true],
    ['tool[0-9]', 'TOOL_7', true],
    ['tool[A-C]', 'tool_b', true],
    ['tool[A-C]', 'tool_d', false],
    ['tool[!a]', 'tool', true],
    ['tool[!a]', 'tool_a', false],
    ['tool[!a]', 'toolb', true],
    ['{Bash,ZSH}', 'zsh', true],
    ['{bash,zsh}', 'fish', false],
    ['github/*', 'github.create_pull_request', true],
    ['github/*', 'gitlab.create_pull_request', false],
    ['a\\*b', 'a_b', true],
    [['*shell*', '*bash*'], 'ＢＡＳＨ', true],
    [['*shell*', '*bash*'], 'list_files', false],
  ];
  it.each(cases)('glob %j against %j is %s', (glob, name, matches) => {
    expect(compileToolGlob(glob)(name)).toBe(matches);
  });

  it('throws on a pattern RE2 cannot compile, so callers can report it', () => {
    expect(() => compileToolGlob('[z-a]')).toThrow();
  });

  it('leaves path globs as they were: case and separators count there', () => {
    expect(compileGlob('/srv/*.txt', 'path')('/srv/a.txt')).toBe(true);
    expect(compileGlob('/srv/*.txt', 'path')('/SRV/a.txt')).toBe(false);
    expect(compileGlob('/srv/*.txt', 'path')('/srv/a/b.txt')).toBe(false);
  });
});
