import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../../src/index.js';
import { chatTool, decide, fetchTool, findingsOf, tableResolver } from './ssrf-harness.js';

beforeAll(() => initShellParser());

type Tool = { name: string; annotations?: Record<string, boolean> };

const fsWrite: Tool = { name: 'fs_write' };
const browseTool: Tool = { name: 'browser_navigate', annotations: { openWorldHint: true } };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function ssrfOf(args: Record<string, unknown>, tool: Tool): Promise<string[]> {
  const dns = tableResolver({ 'reports.example.com': ['10.0.0.7'] });
  const d = await decide(args, { tool, tier: 'trusted', resolver: dns.resolve });
  return findingsOf(d).filter((f) => f.startsWith('ssrf/'));
}

/** Fetches into the network, including the ones whose arguments look like the benign cases below. */
const hostile: Array<[string, Record<string, unknown>, Tool]> = [
  ['a metadata URL in a fetch tool', { url: 'http://169.254.169.254/latest/meta-data' }, fetchTool],
  ['a scheme-less dotted intranet name in a url', { url: 'reports.internal/admin' }, fetchTool],
  ['a scheme-less one-label name with a path in a url', { url: 'vault/v1/secret' }, fetchTool],
  ['a scheme-less name with a port in a fetch target', { target: 'localhost:8080/admin' }, fetchTool],
  ['a private address as a fetch target', { target: '10.0.0.5/admin' }, fetchTool],
  ['a metadata address as a fetch target', { target: '169.254.169.254' }, fetchTool],
  ['a bare intranet name as a fetch target', { target: 'intranet' }, fetchTool],
  ['a public name resolving inward as a fetch target', { target: 'reports.example.com/q' }, fetchTool],
  ['a one-label endpoint of any tool', { endpoint: 'internal-api/admin' }, { name: 'configure_sync' }],
  ['a webhook of a chat tool', { webhook_url: 'vault:8200/v1/sys', text: 'hi' }, chatTool],
  ['a host argument', { host: '169.254.169.254' }, { name: 'ping_host' }],
  [
    'a URL in a browsing prompt',
    { prompt: 'open http://169.254.169.254/latest/meta-data/iam' },
    { name: 'browse_web' },
  ],
  ['a URL with a scheme under a file tool target', { target: 'http://169.254.169.254/latest' }, fsWrite],
  ['a URL with a scheme in a non-prose argument', { config_url: 'http://10.0.0.1/' }, { name: 'deploy' }],
  [
    'a metadata URL hidden in base64 in prose',
    { to: ['a@b.example'], body: b64('http://169.254.169.254/latest/meta-data/') },
    { name: 'send_email' },
  ],
  ['a browser navigation to a private address', { url: '192.168.0.1/admin' }, browseTool],
];

/** Arguments that name a file, or prose that names an address, of tools that fetch nothing. */
const benign: Array<[string, Record<string, unknown>, Tool]> = [
  ['a relative file target', { target: 'reports/weekly.md', text: '## Week 1\n- done\n' }, fsWrite],
  ['a nested relative file target', { target: 'build/out/bundle.js', text: 'x' }, fsWrite],
  ['a file target without an extension', { target: 'notes/todo', text: 'x' }, { name: 'write_file' }],
  ['an edit target', { target: 'src/index.ts', old: 'a', new: 'b' }, { name: 'edit_file' }],
  ['a move target', { source: 'a/b.txt', target: 'archive/b.txt' }, { name: 'move_file' }],
  ['a file uri of a reader', { uri: 'docs/guide.md' }, { name: 'read_file' }],
  [
    'an issue title naming the metadata address',
    { owner: 'o', repo: 'r', title: 'Security: proxy allows SSRF to 169.254.169.254' },
    { name: 'create_issue' },
  ],
  [
    'an email body naming a metadata URL',
    { to: ['sec@corp.example'], subject: 'x', body: 'The scanner fetched http://169.254.169.254/ . Fixed.' },
    { name: 'send_email' },
  ],
  [
    'a chat message naming the GCP metadata host',
    { channel: '#sec', text: 'metadata.google.internal was reachable from CI; blocked now' },
    chatTool,
  ],
  [
    'a note quoting the Alibaba metadata address',
    { title: 'cloud notes', body: 'On Alibaba the metadata service is http://100.100.100.200/latest/' },
    { name: 'create_note' },
  ],
  [
    'a document listing the metadata endpoint',
    { path: 'docs/hardening.md', content: '# Egress\n\nBlock 169.254.169.254 and fd00:ec2::254.\n' },
    { name: 'write_file' },
  ],
];

describe('ssrf: what is fetched, not what is mentioned', () => {
  it.each(hostile)('denies %s', async (_what, args, tool) => {
    expect((await ssrfOf(args, tool)).length).toBeGreaterThan(0);
  });

  it.each(benign)('reports no ssrf for %s', async (_what, args, tool) => {
    expect(await ssrfOf(args, tool)).toEqual([]);
  });
});
