import { describe, expect, it } from 'vitest';
import { classifyTarget, normalize } from '../../src/index.js';
import { decodeOnce } from '../../src/layers/prefilter/decode.js';
import { profileText, TextFlag } from '../../src/layers/prefilter/text-profile.js';

describe('SSRF target classification', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0x7f.0.0.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'loopback'],
    ['http://localhost./', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://169.254.169.254/latest', 'cloud_metadata'],
    ['http://2852039166/', 'cloud_metadata'],
    ['http://0xa9fea9fe/', 'cloud_metadata'],
    ['http://[::ffff:a9fe:a9fe]/', 'cloud_metadata'],
    ['http://[fd00:ec2::254]/', 'cloud_metadata'],
    ['http://metadata.google.internal/', 'cloud_metadata'],
    ['http://10.1.2.3/', 'private_network'],
    ['http://172.16.0.1/', 'private_network'],
    ['http://172.31.255.255/', 'private_network'],
    ['http://192.168.0.10/', 'private_network'],
    ['http://[fc00::1]/', 'private_network'],
    ['http://[fe80::1]/', 'link_local'],
    ['http://169.254.1.1/', 'link_local'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://10.0.0.1.nip.io/', 'private_network'],
    ['http://user:pw@127.0.0.1:8080/', 'loopback'],
    ['169.254.169.254', 'cloud_metadata'],
  ])('classifies %s as %s', (target, cls) => {
    expect(classifyTarget(target)).toBe(cls);
  });

  it.each([
    'https://example.com/',
    'http://172.32.0.1/',
    'http://172.15.255.255/',
    'http://93.184.216.34/',
    'http://[2606:4700::1111]/',
    'https://169.254.169.254.example.com/',
    'http://localhost.example.com/',
    'not a url at all',
  ])('leaves the public target %s alone', (target) => {
    expect(classifyTarget(target)).toBeUndefined();
  });
});

describe('normalisation', () => {
  it('returns plain ASCII untouched and without disguises', () => {
    const n = normalize('curl http://x | sh');
    expect(n).toEqual({ text: 'curl http://x | sh', disguises: [] });
  });

  it('folds full-width, lookalike and invisible disguises and says which', () => {
    expect(normalize('\uff52\uff4d -rf /').text).toBe('rm -rf /');
    const mixed = normalize('p\u0430ss\u200bword');
    expect(mixed.text).toBe('password');
    expect(mixed.disguises).toEqual(expect.arrayContaining(['homoglyph', 'invisible']));
  });

  it('does not call a whole Cyrillic word or an emoji sequence a disguise', () => {
    expect(normalize('\u041f\u0440\u0438\u0432\u0435\u0442').disguises).toEqual([]);
    expect(normalize('\u{1f469}\u200d\u{1f4bb}').disguises).toEqual([]);
  });

  it('reveals text hidden in Unicode tag characters, but not a flag emoji', () => {
    const hidden = [...'rm -rf ~'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const n = normalize(`hello${hidden}`);
    expect(n.text).toBe('hello');
    expect(n.hidden).toBe('rm -rf ~');
    const flag = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';
    expect(normalize(flag).hidden).toBeUndefined();
  });

  it('removes bidi overrides and records them', () => {
    const n = normalize('ls \u202e; rm -rf ~ \u202c');
    expect(n.text).toBe('ls ; rm -rf ~ ');
    expect(n.disguises).toContain('bidi');
  });
});

describe('decoding', () => {
  const texts = (s: string) => decodeOnce(s).map((d) => [d.via, d.text]);

  it('decodes each supported encoding once', () => {
    expect(texts('curl%20x%7Csh')).toContainEqual(['percent', 'curl x|sh']);
    expect(texts('\\x72\\x6d \\u002d\\u{72}f')).toContainEqual(['escape', 'rm -rf']);
    expect(texts('&#114;&#x6d; &lt;x&gt;')).toContainEqual(['html', 'rm <x>']);
    expect(texts('a=cu;b=rl;$a$b')).toContainEqual(['shell', 'a=cu;b=rl;curl']);
    expect(texts(`x ${Buffer.from('rm -rf / --no-preserve-root').toString('base64')}`)).toContainEqual([
      'base64',
      'rm -rf / --no-preserve-root',
    ]);
    expect(texts(Buffer.from('curl x | bash').toString('hex'))).toContainEqual(['hex', 'curl x | bash']);
    expect(texts('MN2XE3BAPAQHYIDTNA======')).toContainEqual(['base32', 'curl x | sh']);
  });

  it('ignores runs that decode to binary, such as hashes and images', () => {
    expect(decodeOnce('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toEqual([]);
    const png = Buffer.from(Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 3) % 256)).toString(
      'base64',
    );
    expect(decodeOnce(png)).toEqual([]);
  });

  it('survives malformed encodings', () => {
    expect(() => decodeOnce('%E0%A4%A and %ZZ and \\u{110000} and &#99999999; and ====')).not.toThrow();
  });
});

describe('text profile', () => {
  it('flags exactly what one pass over the text saw', () => {
    expect(profileText('plain words')).toBe(0);
    expect(profileText('Upper')).toBe(TextFlag.Upper);
    expect(profileText('caf\u00e9')).toBe(TextFlag.NonPlain);
    expect(profileText('a\u0000b')).toBe(TextFlag.NonPlain);
    expect(profileText('%41 \\x & $a')).toBe(
      TextFlag.Percent | TextFlag.Backslash | TextFlag.Ampersand | TextFlag.Dollar,
    );
    expect(profileText("c''url")).toBe(TextFlag.QuotePair);
    expect(profileText('a'.repeat(15))).toBe(0);
    expect(profileText('a'.repeat(16))).toBe(TextFlag.TokenRun);
    expect(profileText(`a${' '.repeat(16)}b`)).toBe(TextFlag.WideSpace);
  });
});
