import { describe, expect, it } from 'vitest';
import { findValues } from '../../src/index.js';
import { referenceValues } from '../fixtures/reference-values.js';

const kinds = (text: string): [string, string][] => findValues(text).map((v) => [v.kind, v.value]);

describe('findValues', () => {
  it('finds IBANs with or without spaces, normalized to upper case without spaces', () => {
    expect(kinds('Pay GB29 NWBK 6016 1331 9268 19 today')).toEqual([['iban', 'GB29NWBK60161331926819']]);
    expect(kinds('to GB29NWBK60161331926819.')).toEqual([['iban', 'GB29NWBK60161331926819']]);
  });

  it('keeps an IBAN whose check digits fail as an account', () => {
    expect(kinds('send it to US133000000121212121212')).toEqual([['account', 'US133000000121212121212']]);
  });

  it('finds e-mail addresses, lowercased', () => {
    expect(kinds('Write to Amy.Lee@Example.COM.')).toEqual([['email', 'amy.lee@example.com']]);
  });

  it('finds URLs and their hosts, without scheme, www., default port or trailing slash', () => {
    const a = kinds('see https://WWW.Example.com:443/a/ now');
    const b = kinds('see www.example.com/a');
    expect(a).toEqual([
      ['url', 'example.com/a'],
      ['host', 'example.com'],
    ]);
    expect(b).toEqual(a);
    expect(kinds('example.org/path?q=1')).toEqual([
      ['url', 'example.org/path?q=1'],
      ['host', 'example.org'],
    ]);
    expect(kinds('open report.pdf or main.py')).toEqual([]);
  });

  it('finds unix and windows paths but not and/or', () => {
    expect(kinds('edit /etc/passwd, ~/x and ./x and C:\\Users\\me\\a.txt and/or')).toEqual([
      ['path', '/etc/passwd'],
      ['path', '~/x'],
      ['path', './x'],
      ['path', 'C:\\Users\\me\\a.txt'],
    ]);
  });

  it('finds currency-marked amounts as normalized numbers', () => {
    expect(kinds('pay $1,200.50 or 1200 USD or €30 or 0.5 BTC')).toEqual([
      ['amount', '1200.5'],
      ['amount', '1200'],
      ['amount', '30'],
      ['amount', '0.5'],
    ]);
  });

  it('finds phone numbers and card or account numbers', () => {
    expect(kinds('call +1 555 123 4567 or (555) 123-4567, card 4111-1111-1111-1111')).toEqual([
      ['phone', '+15551234567'],
      ['phone', '5551234567'],
      ['account', '4111111111111111'],
    ]);
  });

  it('finds identifiers that mix letters with digits or underscores, not plain words or numbers', () => {
    expect(kinds('user guest_amy01 and AB-1234 hello world 12345 well-known')).toEqual([
      ['identifier', 'guest_amy01'],
      ['identifier', 'AB-1234'],
    ]);
  });

  it('finds secrets: vendor tokens, assigned passwords and one-time codes', () => {
    expect(kinds('your security code is 482913. password: hunter22')).toEqual([
      ['secret', '482913'],
      ['secret', 'hunter22'],
    ]);
    const token = `ghp_${'a1'.repeat(18)}`;
    expect(kinds(`token ${token}`)).toEqual([['secret', token]]);
  });

  it('reports the span of each mention', () => {
    const text = 'mail bob@example.com';
    const [v] = findValues(text);
    expect(text.slice(v?.start, v?.end)).toBe('bob@example.com');
  });

  it('stops at the limit and reads no more than 64 KiB of a text', () => {
    expect(findValues('id_1 '.repeat(1000), 10)).toHaveLength(10);
    expect(findValues(`${' '.repeat(64 * 1024)}bob@example.com`)).toEqual([]);
  });

  it('stays linear on 64 KiB adversarial strings', () => {
    const hostile = [
      'a',
      '1',
      '+1',
      'a.',
      '/a',
      'x@',
      '$1,',
      'AB12',
      '1-',
      '1 ',
      'a-',
      'code 1 ',
      'http://',
      '-_',
    ].map((unit) => unit.repeat(Math.ceil((64 * 1024) / unit.length)));
    for (const text of hostile) findValues(text);
    const start = performance.now();
    for (const text of hostile) findValues(text);
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('finds exactly what running every pattern over the whole text finds, on mixed and edge-case texts', () => {
    const pieces = [
      'user_1@mail.example.com',
      'a@b',
      '@',
      '@@',
      'a.b@c.de@e.org',
      `${'x'.repeat(70)}@long.example.com`,
      `${'y'.repeat(64)}@edge.example.com`,
      '://',
      'https://x.org/p?q=1',
      'HTTPS://WWW.Ex.com/',
      'ftp://f.io',
      'wss://',
      'xhttp://a.com',
      'http://a.com/?u=http://b.com',
      'www.site.com',
      'a.com.org',
      '@example.org',
      'x_.com',
      'a-b.co.uk/path?q',
      'foo.comx',
      '.com',
      'Docs.Example.IO',
      `${'z'.repeat(64)}.com`,
      'GB29 NWBK 6016 1331 9268 19',
      '$1,200.50',
      '30 euros',
      '+1 555 123 4567',
      '(555) 123-4567',
      '4111 1111 1111 1111',
      '/etc/passwd',
      '~/x',
      'C:\\Users\\a',
      'guest_amy01',
      'AB-1234',
      '_ab1',
      'ab1-',
      'a1b2',
      'é1ab',
      'password: hunter22',
      'code 482913',
      `ghp_${'a1B2'.repeat(9)}`,
      'the',
      'invoice',
      '.',
      ',',
      '-',
      '_',
      ' ',
      '\n',
      '1',
    ];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let round = 0; round < 400; round++) {
      let text = '';
      for (let k = next(30) + 1; k > 0; k--)
        text += (pieces[next(pieces.length)] as string) + (next(3) === 0 ? '' : ' ');
      const limit = [3, 10, 256][next(3)] as number;
      expect(findValues(text, limit), text).toEqual(referenceValues(text, limit));
    }
  });
});
