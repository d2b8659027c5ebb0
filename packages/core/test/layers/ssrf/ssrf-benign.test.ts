import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, initShellParser, parseSettings } from '../../../src/index.js';
import { allowanceSettings, chatTool, decide, findingsOf, shellTool, tableResolver } from './ssrf-harness.js';

beforeAll(() => initShellParser());

const publicDns = tableResolver({
  'docs.python.org': ['151.101.0.223', '2a04:4e42::223'],
  'api.github.com': ['140.82.112.6'],
  'github.com': ['140.82.112.3'],
  'example.com': ['93.184.216.34'],
  '169.254.169.254.example.com': ['93.184.216.34'],
  'registry.npmjs.org': ['104.16.0.35'],
});

describe('ssrf: ordinary fetches pass', () => {
  it.each([
    'https://docs.python.org/3/library/urllib.parse.html',
    'https://api.github.com/repos/nodejs/node',
    'https://example.com/a?next=http://127.0.0.1/',
    'https://169.254.169.254.example.com/status',
    'http://93.184.216.34/',
    'https://no-such-name.example/',
  ])('allows a fetch of %s (public, or a name that does not exist)', async (url) => {
    const d = await decide({ url }, { resolver: publicDns.resolve });
    expect(d.outcome).toBe('allow');
  });

  it.each([
    'curl -s https://api.github.com/repos/nodejs/node | jq .stargazers_count',
    'git clone https://github.com/nodejs/node.git',
    'npm view react --registry https://registry.npmjs.org/',
  ])('allows the command %s', async (command) => {
    const d = await decide({ command }, { tool: shellTool, tier: 'trusted', resolver: publicDns.resolve });
    expect(d.outcome).toBe('allow');
  });
});

describe('ssrf: loopback allowances per tier and port', () => {
  it.each(['http://localhost:3000/health', 'http://127.0.0.1:5173/', 'http://[::1]:3000/api'])(
    'allows %s for a trusted principal when the allowance names its port',
    async (url) => {
      const d = await decide({ url }, { tier: 'trusted' });
      expect(d.outcome).toBe('allow');
    },
  );

  it('allows the same URL for a privileged principal (any tier at or above the minimum)', async () => {
    expect((await decide({ url: 'http://localhost:3000/health' }, { tier: 'privileged' })).outcome).toBe(
      'allow',
    );
  });

  it('allows a trusted developer to curl their own service on an allowed port', async () => {
    const d = await decide(
      { command: 'curl -s http://localhost:3000/health' },
      { tool: shellTool, tier: 'trusted' },
    );
    expect(d.outcome).toBe('allow');
  });

  it('still denies a port the allowance does not name', async () => {
    const d = await decide({ url: 'http://localhost:6379/' }, { tier: 'trusted' });
    expect(d.outcome).toBe('deny');
  });

  it('still denies the default port when only 3000 and 5173 are named', async () => {
    expect((await decide({ url: 'http://localhost/' }, { tier: 'trusted' })).outcome).toBe('deny');
  });

  it('still denies a principal below the tier the allowance names', async () => {
    const d = await decide({ url: 'http://localhost:3000/health' }, { tier: 'standard' });
    expect(d.outcome).toBe('deny');
    expect(findingsOf(d)).toContain('ssrf/loopback');
  });

  it('still denies a host the allowance does not name, even on an allowed port', async () => {
    expect((await decide({ url: 'http://10.0.0.5:3000/' }, { tier: 'trusted' })).outcome).toBe('deny');
    expect((await decide({ url: 'http://127.0.0.2:3000/' }, { tier: 'trusted' })).outcome).toBe('deny');
  });

  it('denies loopback for everyone when no allowance is configured', async () => {
    const settings = parseSettings(DEFAULT_SETTINGS);
    const d = await decide({ url: 'http://localhost:3000/health' }, { tier: 'privileged', settings });
    expect(d.outcome).toBe('deny');
  });

  it('never allows a cloud metadata address, whatever the allowance says', async () => {
    const settings = allowanceSettings({
      allow: [{ hosts: ['10.0.0.1'], ports: [80], minTier: 'trusted' }],
    });
    const d = await decide(
      { command: 'curl --resolve localhost:3000:169.254.169.254 http://localhost:3000/' },
      { tool: shellTool, tier: 'privileged', settings },
    );
    expect(d.outcome).toBe('deny');
    expect(() =>
      allowanceSettings({ allow: [{ hosts: ['169.254.169.254'], ports: [80], minTier: 'trusted' }] }),
    ).toThrow(/metadata/);
  });

  it('rejects an allowance naming an unknown tier or an impossible port with invalid_config', () => {
    expect(() =>
      allowanceSettings({ allow: [{ hosts: ['localhost'], ports: [3000], minTier: 'root' }] }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() =>
      allowanceSettings({ allow: [{ hosts: ['localhost'], ports: [70000], minTier: 'trusted' }] }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('ssrf: text that mentions an address is not a fetch', () => {
  it('allows a chat message with intranet links and asks no resolver', async () => {
    const dns = tableResolver({});
    const d = await decide(
      {
        channel: '#eng',
        text: 'wiki moved to http://intranet.local/wiki, grafana at http://10.0.0.5:3000 and http://localhost:8080',
      },
      { tool: chatTool, tier: 'trusted', resolver: dns.resolve },
    );
    expect(d.outcome).toBe('allow');
    expect(dns.asked).toEqual([]);
  });

  it('allows an issue body that lists internal hosts', async () => {
    const d = await decide(
      {
        title: 'flaky dev env',
        body: 'Redis on redis://127.0.0.1:6379 times out; see http://ci.internal/job/42',
      },
      { tool: { name: 'create_issue' } },
    );
    expect(d.outcome).toBe('allow');
  });

  it('allows a README with example URLs', async () => {
    const content =
      '# Dev\n\nRun `npm run dev` and open http://localhost:5173.\nThe API is on http://127.0.0.1:8080/api.\n' +
      'In the cluster it is https://kubernetes.default.svc.\n';
    const d = await decide({ path: 'README.md', content }, { tool: { name: 'write_file' } });
    expect(d.outcome).toBe('allow');
  });

  it('allows a deploy target that is a plain word', async () => {
    const d = await decide({ target: 'production', server: 'blue' }, { tool: { name: 'deploy_app' } });
    expect(d.outcome).toBe('allow');
  });

  it('allows a chat message that is only a URL', async () => {
    const d = await decide(
      { message: 'http://192.168.1.10:8080/dashboard' },
      { tool: chatTool, tier: 'trusted' },
    );
    expect(d.outcome).toBe('allow');
  });
});
