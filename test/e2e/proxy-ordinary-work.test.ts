import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { childTransport } from '../helpers/child-transport.js';
import { jsonLines } from '../helpers/events.js';
import { FALSE_POSITIVE_FILES, packageLock } from '../helpers/ordinary-work.js';
import { CLI, killAll, SERVERS, startProxy, type Watched, watch } from '../helpers/processes.js';

afterAll(() => killAll());

type Text = { type: string; text?: string };
type Result = Awaited<ReturnType<Client['callTool']>>;

const text = (r: Result): string => (r.content as Text[])[0]?.text ?? '';

/** A temp HOME and an empty project directory; the proxy gets no configuration at all. */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-work-'));
  const home = join(dir, 'home');
  const project = join(dir, 'project');
  mkdirSync(home);
  mkdirSync(project);
  return { dir, home, project, env: { ...process.env, HOME: home, USERPROFILE: home } };
}

/** `governed-mcp proxy -- server-filesystem PROJECT` over stdio, with no --config, --policy or --audit. */
async function defaultProxy(project: string, env: NodeJS.ProcessEnv) {
  const proxy = watch(
    process.execPath,
    [...CLI, 'proxy', '--', process.execPath, SERVERS.filesystem, project],
    env,
  );
  const client = new Client({ name: 'e2e-ordinary-work', version: '1.0.0' });
  await client.connect(childTransport(proxy.child) as Transport);
  return { proxy, client };
}

async function allowed(client: Client, name: string, args: Record<string, unknown>): Promise<Result> {
  const r = await client.callTool({ name, arguments: args });
  expect(r.isError, `${name} ${JSON.stringify(args).slice(0, 200)} -> ${text(r).slice(0, 400)}`).toBeFalsy();
  return r;
}

describe('the drop-in proxy with no configuration does ordinary work', () => {
  const ws = workspace();
  let proxy: Watched;
  let client: Client;

  it('lists the write tools to the local user who launched it, and logs who that is', async () => {
    ({ proxy, client } = await defaultProxy(ws.project, ws.env));
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const tool of ['write_file', 'edit_file', 'move_file', 'create_directory', 'read_text_file']) {
      expect(names).toContain(tool);
    }
    const started = JSON.parse(await proxy.waitFor((l) => l.includes('"event":"proxy_started"'))) as Record<
      string,
      unknown
    >;
    expect(started).toMatchObject({ tier: 'trusted', principalSource: 'local-user' });
    expect(String(started.principal)).toMatch(/^local:./);
    expect(proxy.lines.some((l) => l.includes('"event":"tool_hidden_by_tier"'))).toBe(false);
  });

  it('creates directories, writes, edits and moves source files', async () => {
    const p = (rel: string) => join(ws.project, rel);
    for (const d of ['src/lib', 'migrations', 'prompts', 'docs', 'test/fixtures']) {
      await allowed(client, 'create_directory', { path: p(d) });
    }
    await allowed(client, 'write_file', {
      path: p('src/index.ts'),
      content: "import { add } from './lib/math.js';\n\nexport const answer = add(40, 2);\n",
    });
    await allowed(client, 'write_file', {
      path: p('src/lib/math.ts'),
      content: 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
    });
    await allowed(client, 'edit_file', {
      path: p('src/index.ts'),
      edits: [{ oldText: 'add(40, 2)', newText: 'add(41, 1)' }],
    });
    expect(readFileSync(p('src/index.ts'), 'utf8')).toContain('add(41, 1)');
    await allowed(client, 'move_file', { source: p('src/lib/math.ts'), destination: p('src/lib/arith.ts') });
    expect(readFileSync(p('src/lib/arith.ts'), 'utf8')).toContain('return a + b');
    for (let i = 0; i < 20; i++) {
      await allowed(client, 'write_file', {
        path: p(`src/lib/module-${i}.ts`),
        content: `export const value${i} = ${i};\n`,
      });
    }
  });

  it('reads 60 files in one burst without being throttled, then searches and lists', async () => {
    const paths = Array.from({ length: 60 }, (_, i) => join(ws.project, `src/lib/module-${i % 20}.ts`));
    const reads = await Promise.all(
      paths.map((path) => client.callTool({ name: 'read_text_file', arguments: { path } })),
    );
    const denied = reads.filter((r) => r.isError);
    expect(denied.map(text)).toEqual([]);
    expect(reads.map(text)).toEqual(paths.map((path) => readFileSync(path, 'utf8')));
    const found = await allowed(client, 'search_files', {
      path: join(ws.project, 'src'),
      pattern: '**/module-1*.ts',
    });
    expect(text(found)).toContain('module-1.ts');
    const listed = await allowed(client, 'list_directory', { path: join(ws.project, 'src/lib') });
    expect(text(listed)).toContain('arith.ts');
    await allowed(client, 'directory_tree', { path: ws.project });
  });

  describe('files that look like attacks to a pattern list are written and read back unchanged', () => {
    for (const [rel, content] of Object.entries(FALSE_POSITIVE_FILES)) {
      it(`${rel}`, async () => {
        const path = join(ws.project, rel);
        mkdirSync(dirname(path), { recursive: true });
        await allowed(client, 'write_file', { path, content });
        expect(readFileSync(path, 'utf8')).toBe(content);
        expect(text(await allowed(client, 'read_text_file', { path }))).toBe(content);
      });
    }

    it('a 1.5 MiB package-lock.json', async () => {
      const content = packageLock(1.5 * 1024 * 1024);
      expect(content.length).toBeGreaterThan(1.5 * 1024 * 1024);
      const path = join(ws.project, 'package-lock.json');
      await allowed(client, 'write_file', { path, content });
      expect(readFileSync(path, 'utf8')).toBe(content);
      expect(text(await allowed(client, 'read_text_file', { path }))).toBe(content);
    });
  });

  it('ends cleanly when the client leaves', async () => {
    await client.close();
    expect(await proxy.exited).toBe(0);
  });
});

describe('the default principal depends on the transport', () => {
  it('over HTTP without tokens nobody is identified: write tools are hidden and each is logged at info', async () => {
    const ws = workspace();
    const proxy = await startProxy(
      ['--listen', '127.0.0.1:0', '--', process.execPath, SERVERS.filesystem, ws.project],
      ws.env,
    );
    const client = new Client({ name: 'e2e-http-anonymous', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url as string)));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('read_text_file');
    expect(names).not.toContain('write_file');
    const hidden = proxy.lines
      .filter((l) => l.includes('"event":"tool_hidden_by_tier"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const tool of ['write_file', 'edit_file', 'move_file']) {
      expect(hidden.filter((h) => h.tool === tool)).toEqual([
        expect.objectContaining({ level: 'info', principalTier: 'standard', requiredTier: 'trusted' }),
      ]);
    }
    await client.close().catch(() => undefined);
    expect(await proxy.stop()).toBe(0);
  });

  it('an explicit principal in the config file wins over the local-user default', async () => {
    const ws = workspace();
    const config = join(ws.dir, 'proxy.json');
    writeFileSync(config, JSON.stringify({ principal: { id: 'ci-bot', tier: 'standard' } }));
    const proxy = watch(
      process.execPath,
      [...CLI, 'proxy', '--config', config, '--', process.execPath, SERVERS.filesystem, ws.project],
      ws.env,
    );
    const client = new Client({ name: 'e2e-explicit', version: '1.0.0' });
    await client.connect(childTransport(proxy.child) as Transport);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('write_file');
    expect(await proxy.waitFor((l) => l.includes('"event":"proxy_started"'))).toContain(
      '"principalSource":"config"',
    );
    await client.close();
    expect(await proxy.exited).toBe(0);
  });
});

describe('transport limits answer the request that broke them', () => {
  it('a request frame over 4 MiB on stdio gets an error carrying its own id', async () => {
    const ws = workspace();
    const proxy = watch(
      process.execPath,
      [...CLI, 'proxy', '--', process.execPath, SERVERS.filesystem, ws.project],
      ws.env,
    );
    const answers = jsonLines(proxy.child.stdout!, () => proxy.lines.slice(-20).join('\n'));
    const frame = JSON.stringify({
      jsonrpc: '2.0',
      id: 'big-frame-7',
      method: 'tools/call',
      params: {
        name: 'write_file',
        arguments: { path: join(ws.project, 'big.txt'), content: 'x'.repeat(4.5 * 1024 * 1024) },
      },
    });
    proxy.child.stdin!.write(`${frame}\n`);
    const reply = await answers.next(() => true);
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 'big-frame-7', error: expect.any(Object) });
    proxy.child.stdin!.end();
    expect(await proxy.exited).toBe(0);
  });
});
