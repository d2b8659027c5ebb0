import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { governServer, LOCAL_USER_TIER } from '../../src/index.js';

/**
 * `resources/read` through the whole default stack (default constitution, no probe, the stdio local
 * user): a `file:` URI is the server's name for its resource, so a project file is read; the path it
 * names is still judged, so credential and system files are refused before the server sees the request.
 */

const served: string[] = [];
let client: Client;
let closeAll: () => Promise<void>;

function fileServer(): McpServer {
  const server = new McpServer({ name: 'files', version: '1.0.0' });
  // Any file: URI at all, so only the gate stands between a request and the file's content.
  server.registerResource(
    'any-file',
    new ResourceTemplate('file://{+path}', { list: undefined }),
    { mimeType: 'text/plain' },
    async (uri) => {
      served.push(uri.href);
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: `content of ${uri.pathname}` }] };
    },
  );
  return server;
}

beforeAll(async () => {
  // The one-line wrapper, as a user writes it: the proxy's layers, the local user over stdio.
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const governed = await governServer(fileServer(), serverSide, {
    audit: false,
    principal: { id: 'local:u', tier: LOCAL_USER_TIER },
    paths: { env: { home: '/home/u', cwd: '/home/u/project' }, resolveOnDisk: false },
  });
  client = new Client({ name: 'resource-read-paths', version: '1.0.0' });
  await client.connect(clientSide);
  closeAll = async () => {
    await client.close();
    await governed.close();
  };
});

afterAll(() => closeAll());

describe('resources/read of a file: URI through the default layers', () => {
  it.each(['file:///home/u/project/README.md', 'file:///home/u/project/docs/my%20notes.md'])(
    'reads the project file %s',
    async (uri) => {
      const r = await client.readResource({ uri });
      expect((r.contents[0] as { text?: string }).text).toMatch(/^content of /);
      expect(served).toContain(uri);
    },
  );

  it.each([
    'file:///home/u/.ssh/id_rsa',
    'file:///etc/shadow',
    'file:///home/u/.aws/credentials',
    'file:///home/u/project/../.ssh/id_ed25519',
    'file:///home/u/project/%2e%2e/.ssh/id_rsa',
    'file:///home/u/project/.env',
  ])('refuses %s before the server sees it', async (uri) => {
    const e = await client.readResource({ uri }).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e?.message).toMatch(/governed-mcp refused the request: blocked by sensitive-path\//);
    expect(served).not.toContain(uri);
    expect(served.some((s) => s.includes('.ssh') || s.includes('shadow') || s.includes('.aws'))).toBe(false);
  });
});
