import { hostname } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../../src/index.js';
import { chatTool, decide, findingsOf, shellTool, tableResolver } from './ssrf-harness.js';

beforeAll(() => initShellParser());

const P = 41873;
const own = hostname().toLowerCase();

// Each spelling names an address inside the gateway's own network in a form some fetching client
// (a WHATWG parser, curl, a shell) accepts. None may reach the next layer.
const HOSTILE_URLS: readonly string[] = [
  `http:/127.0.0.1:${P}/`,
  `http:\\\\127.0.0.1:${P}\\`,
  `HTTP:/localhost:${P}/`,
  `http:127.0.0.1:${P}/`,
  'http:/127.1',
  'HTTP:\\\\0x7f.1\\',
  'http://0177.0.0.1',
  'http://127.000.000.001/',
  'http://[::ffff:7f00:1]',
  'http://[0:0:0:0:0:ffff:127.0.0.1]',
  'http://[64:ff9b::7f00:1]/',
  'http://2130706433',
  'http://0x7f000001/',
  'http://evil@127.0.0.1',
  `http://example.com@127.0.0.1:${P}/`,
  'http://127.0.0.1#@example.com/',
  'http://localhost.',
  'http://LOCALHOST',
  'http://foo.localhost',
  'http://127。0。0。1/',
  'http://127．0．0．1/',
  'http://①②⑦.0.0.1/',
  'http://%31%32%37.0.0.1/',
  '//127.0.0.1/',
  '  http://127.0.0.1/  ',
  `https:/\\/10.0.0.1/`,
  `ws://127.0.0.1:${P}/socket`,
  'http://[::1]:8080/',
  'http://[::]/',
  `http://0.0.0.0:${P}/`,
  'http://0/',
  `http://${own}:${P}/`,
  `http://${own}.:${P}/`,
  'http://kubernetes.default/api',
  'https://kubernetes.default.svc',
  'https://kubernetes.default.svc.cluster.local/api/v1/secrets',
  'http://intranet/wiki',
  'http://db.local/',
  'http://vault.internal:8200/v1/secret',
  'http://metadata.google.internal./computeMetadata/v1/',
  'http://0xa9fea9fe/latest/meta-data/',
  'http://0251.0376.0251.0376/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[fd00:ec2::254]/',
  'http://100.64.0.1/',
  'http://[fc00::1]/',
  'http://[fe80::1]/',
  'http://172.31.255.255/',
  'redis://127.0.0.1:6379/',
  'mysql://2130706433:3306/db',
];

describe('ssrf: lenient URL spellings in a fetch argument', () => {
  it.each(HOSTILE_URLS)('denies a fetch of %s', async (url) => {
    const d = await decide({ url });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d).some((f) => f.startsWith('ssrf/'))).toBe(true);
  });

  it.each([`127.0.0.1:8080/admin`, `localhost:${P}`, `[::1]:${P}/`, `${own}:${P}`])(
    'denies the scheme-less target %s in a url-typed argument (curl reads it as http)',
    async (url) => {
      const d = await decide({ request: { endpoint: url } });
      expect(d.outcome).toBe('deny');
    },
  );
});

describe('ssrf: names that resolve into the network', () => {
  const resolver = tableResolver({
    'intranet-proxy.example.com': ['10.0.0.5'],
    'loop.example.net': ['::1'],
    'mixed.example.org': ['93.184.216.34', '192.168.1.20'],
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'meta.example.io': ['169.254.169.254'],
    'mapped.example.io': ['::ffff:10.1.2.3'],
  });

  it.each([
    'http://intranet-proxy.example.com/',
    'https://loop.example.net/x',
    'http://mixed.example.org/',
    'http://127.0.0.1.nip.io/',
    'http://meta.example.io/latest',
    'http://mapped.example.io/',
    'HTTP:/intranet-proxy.example.com/',
  ])('denies %s, whose name resolves to an internal address', async (url) => {
    const d = await decide({ url }, { resolver: resolver.resolve });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d).some((f) => f.startsWith('ssrf/'))).toBe(true);
  });

  it('denies a shell command that fetches a name resolving to a private address', async () => {
    const d = await decide(
      { command: 'curl -s https://intranet-proxy.example.com/status' },
      { tool: shellTool, tier: 'trusted', resolver: resolver.resolve },
    );
    expect(d.outcome).toBe('deny');
  });
});

describe('ssrf: routing options of curl in command text', () => {
  it.each([
    'curl --resolve x:80:127.0.0.1 http://x/',
    'curl --resolve=example.com:443:10.0.0.8 https://example.com/',
    `curl -x http://127.0.0.1:8080 http://example.com`,
    `curl --proxy 10.1.1.1:3128 https://example.com`,
    `curl --preproxy socks5://localhost:1080 https://example.com`,
    'curl --connect-to example.com:443:127.0.0.1:6379 https://example.com/',
    'curl --unix-socket /tmp/app.sock http://x/containers/json',
    `curl 127.0.0.1:${P}/admin`,
    `wget http:/127.0.0.1:${P}/`,
    `curl -s 'HTTP:\\\\localhost:${P}\\'`,
    `nc 127.0.0.1 6379`,
  ])('denies %s', async (command) => {
    const d = await decide({ command }, { tool: shellTool, tier: 'trusted' });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d).some((f) => f.startsWith('ssrf/'))).toBe(true);
  });
});

describe('ssrf: resolution that fails closes the gate', () => {
  it('denies with ssrf_unresolved when resolution times out', async () => {
    const { resolve } = tableResolver({ 'slow.example.com': 'hang' });
    const started = Date.now();
    const d = await decide({ url: 'https://slow.example.com/' }, { resolver: resolve });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d)).toContain('ssrf/ssrf_unresolved');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('denies with ssrf_unresolved when the resolver fails (SERVFAIL, refused)', async () => {
    const { resolve } = tableResolver({ 'broken.example.com': { error: 'ESERVFAIL' } });
    const d = await decide({ url: 'https://broken.example.com/' }, { resolver: resolve });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d)).toContain('ssrf/ssrf_unresolved');
  });

  it('denies when the resolver throws synchronously', async () => {
    const resolver = (): Promise<readonly string[]> => {
      throw new Error('boom');
    };
    const d = await decide({ url: 'https://x.example.com/' }, { resolver });
    expect(d.outcome).toBe('deny');
  });

  it('denies when the resolver answers something that is not an address', async () => {
    const { resolve } = tableResolver({ 'odd.example.com': ['not-an-ip'] });
    const d = await decide({ url: 'https://odd.example.com/' }, { resolver: resolve });
    expect(d.outcome).toBe('deny');
  });
});

describe('ssrf: chat tool sanity', () => {
  it('still denies a chat tool argument that is itself a fetch target (a webhook URL)', async () => {
    const d = await decide(
      { webhook_url: 'http://127.0.0.1:9000/hook', text: 'hi' },
      { tool: chatTool, tier: 'trusted' },
    );
    expect(d.outcome).toBe('deny');
  });
});
