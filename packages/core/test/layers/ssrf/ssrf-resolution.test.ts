import { describe, expect, it } from 'vitest';
import { classifyAddress, createResolution } from '../../../src/index.js';
import { tableResolver } from './ssrf-harness.js';

describe('ssrf: name resolution', () => {
  it('gives the slot of a hung lookup back at its deadline, so later names still resolve', async () => {
    const dns = tableResolver({ 'hang.example': 'hang', 'ok.example': ['93.184.216.34'] });
    const resolve = createResolution(dns.resolve, { timeoutMs: 50, maxConcurrent: 1 });
    expect(await resolve('hang.example')).toMatchObject({ ok: false, code: 'timeout' });
    expect(await resolve('ok.example')).toEqual({ ok: true, addresses: ['93.184.216.34'] });
  });

  it('keeps answers for the TTL and asks again after a failure', async () => {
    let calls = 0;
    const flaky = (): Promise<readonly string[]> =>
      ++calls === 1
        ? Promise.reject(Object.assign(new Error('servfail'), { code: 'ESERVFAIL' }))
        : Promise.resolve(['93.184.216.34']);
    const resolve = createResolution(flaky, { timeoutMs: 100 });
    expect(await resolve('a.example')).toMatchObject({ ok: false, code: 'error' });
    expect(await resolve('a.example')).toMatchObject({ ok: true });
    expect(await resolve('a.example')).toMatchObject({ ok: true });
    expect(calls).toBe(2);
  });

  it('reads a name that does not exist as nxdomain, not as a failure', async () => {
    const resolve = createResolution(tableResolver({}).resolve, { timeoutMs: 100 });
    expect(await resolve('nope.example')).toMatchObject({ ok: false, code: 'nxdomain' });
  });

  it.each([
    ['10.0.0.5', 'private_network'],
    ['::1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud_metadata'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['fe80::1', 'link_local'],
    ['93.184.216.34', undefined],
    ['2606:4700::1111', undefined],
    ['not-an-ip', 'invalid'],
    ['127.1', 'invalid'],
  ])('classifies the resolver answer %s as %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });
});
