import { createGate, createPipeline, createTierTable } from '@governed-mcp/core';
import { loadPolicy } from '@governed-mcp/policy-dsl';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDefaultPrincipal } from '../../src/default-principal.js';
import { assembleLayers, connectGoverned, tierVisibility } from '../../src/index.js';

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
  const policy = await loadPolicy(undefined);
  const settings = policy.settings;
  const paths = { env: { home: '/home/u', cwd: '/home/u/project' } };
  const layers = await assembleLayers({ configuration: 'no-probe', policy, paths });
  const gate = createGate({ pipeline: createPipeline(layers) });
  const { principal } = resolveDefaultPrincipal({
    config: {},
    settings,
    policyFile: false,
    transport: 'stdio',
    user: 'u',
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const mediator = await connectGoverned(fileServer(), serverSide, {
    gate,
    visibility: tierVisibility(createTierTable(settings)),
    peer: { principal },
  });
  client = new Client({ name: 'resource-read-paths', version: '1.0.0' });
  await client.connect(clientSide);
  closeAll = async () => {
    await client.close();
    await mediator.close();
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
