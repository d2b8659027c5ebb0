import { governServer, LOCAL_USER_TIER } from '@governed-mcp/middleware-mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FALSE_POSITIVE_FILES } from '../helpers/ordinary-work.js';

/**
 * Ordinary work that needs a shell, chat or file server the filesystem e2e cannot show: a small real
 * SDK server behind the default layers (no config: default constitution, the stdio local user).
 */

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7ZmV4YW1wbGVwdWJsaWNrZXlmb3J0ZXN0cw dev@laptop\n';
const README = FALSE_POSITIVE_FILES['README.md'] as string;

/** A developer's workstation server: a shell, a chat tool, file reads and the project README as a resource. */
function workstation(ran: string[]): McpServer {
  const server = new McpServer({ name: 'workstation', version: '1.0.0' });
  server.registerTool(
    'run_command',
    {
      description: 'Run a shell command in the project directory.',
      inputSchema: { command: z.string() },
      annotations: { destructiveHint: true, openWorldHint: false },
    },
    async ({ command }) => {
      ran.push(command);
      return { content: [{ type: 'text', text: `ran: ${command}` }] };
    },
  );
  server.registerTool(
    'send_message',
    {
      description: 'Send a message to a team chat channel.',
      inputSchema: { channel: z.string(), text: z.string() },
      annotations: { destructiveHint: false, openWorldHint: true },
    },
    async ({ channel, text }) => {
      ran.push(`${channel}: ${text}`);
      return { content: [{ type: 'text', text: 'sent' }] };
    },
  );
  server.registerTool(
    'read_file',
    {
      description: 'Read the complete contents of a file.',
      inputSchema: { path: z.string() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ path }) => {
      ran.push(`read ${path}`);
      return { content: [{ type: 'text', text: path.endsWith('.pub') ? PUBLIC_KEY : '' }] };
    },
  );
  server.registerResource(
    'readme',
    'file:///project/README.md',
    { mimeType: 'text/markdown' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/markdown', text: README }],
    }),
  );
  return server;
}

const ran: string[] = [];
let client: Client;
let closeAll: () => Promise<void>;

beforeAll(async () => {
  // The workstation server runs as a developer account, whatever account runs this test.
  // The one-line wrapper, as a user writes it: the proxy's layers, the local user over stdio.
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const governed = await governServer(workstation(ran), serverSide, {
    audit: false,
    principal: { id: 'local:dev', tier: LOCAL_USER_TIER },
    paths: { env: { home: '/home/dev', cwd: '/home/dev/project' }, resolveOnDisk: false },
  });
  client = new Client({ name: 'ordinary-work', version: '1.0.0' });
  await client.connect(clientSide);
  closeAll = async () => {
    await client.close();
    await governed.close();
  };
});

afterAll(() => closeAll());

type Text = { text?: string };
const text = (r: Record<string, unknown>): string => (r.content as Text[] | undefined)?.[0]?.text ?? '';

describe('ordinary work beyond the file system passes the default layers for the local user', () => {
  it('all tools are listed', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual(['read_file', 'run_command', 'send_message']);
  });

  it('generating a deploy key inside the project: ssh-keygen -f ./deploy/id_ed25519', async () => {
    const command = 'ssh-keygen -t ed25519 -N "" -C deploy -f ./deploy/id_ed25519';
    const r = await client.callTool({ name: 'run_command', arguments: { command } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(ran).toContain(command);
  });

  it('a chat message with intranet links', async () => {
    const message =
      'Release notes are on https://wiki.corp.example.internal/releases/4.2 and the dashboard at http://10.20.0.15:3000/d/deploys';
    const r = await client.callTool({
      name: 'send_message',
      arguments: { channel: '#releases', text: message },
    });
    expect(r.isError, text(r)).toBeFalsy();
    expect(ran).toContain(`#releases: ${message}`);
  });

  it('reading ~/.ssh/id_ed25519.pub (a public key) comes back unchanged', async () => {
    const r = await client.callTool({ name: 'read_file', arguments: { path: '~/.ssh/id_ed25519.pub' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r)).toBe(PUBLIC_KEY);
  });

  it('resources/read file:///project/README.md returns the README quoting an injection unchanged', async () => {
    const r = await client.readResource({ uri: 'file:///project/README.md' });
    expect((r.contents[0] as { text?: string }).text).toBe(README);
  });
});
