import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** A small fake GGUF: the magic bytes and padding, never a real model. */
const GGUF = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 1)]);
const SHA = createHash('sha256').update(GGUF).digest('hex');

let server: Server;
let url = '';
let dir = '';
const saved = process.env.GOVERNED_MCP_MODELS;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-e2e-'));
  // runCli's child inherits this environment: the cache lives in the temporary folder.
  process.env.GOVERNED_MCP_MODELS = join(dir, 'cache');
  server = createServer((_req, res) => res.writeHead(200, { 'content-length': GGUF.length }).end(GGUF));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny.gguf`;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.GOVERNED_MCP_MODELS;
  else process.env.GOVERNED_MCP_MODELS = saved;
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('governed-mcp model', () => {
  it('pull URL --sha256 exits 0, prints the cached path, and list shows the model', async () => {
    const pulled = await runCli(['model', 'pull', url, '--sha256', SHA]);
    expect(pulled.stderr).toContain('sha256 verified');
    expect(pulled.code).toBe(0);
    const path = pulled.stdout.trim();
    expect(path).toBe(join(dir, 'cache', 'tiny.gguf'));
    expect(await readFile(path)).toEqual(GGUF);
    const listed = await runCli(['model', 'list', '--json']);
    expect(listed.code).toBe(0);
    const out = JSON.parse(listed.stdout) as {
      cached: { name: string; sha256: string }[];
      catalog: unknown[];
    };
    expect(out.cached).toEqual([expect.objectContaining({ name: 'tiny', sha256: SHA })]);
    expect(out.catalog.length).toBeGreaterThan(0);
  }, 60_000);

  it('pull exits 1 with checksum_mismatch when the file does not match', async () => {
    const r = await runCli(['model', 'pull', url, '--sha256', 'b'.repeat(64), '--name', 'bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('checksum_mismatch');
  }, 60_000);

  it('pull exits 2 for a non-http scheme and for a URL without a checksum', async () => {
    const scheme = await runCli(['model', 'pull', 'ftp://example.invalid/m.gguf', '--sha256', SHA]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('unsupported_scheme');
    const bare = await runCli(['model', 'pull', url]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('checksum_required');
  }, 60_000);

  it('add exits 2 with not_gguf for a file that is not a GGUF', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'hello');
    const r = await runCli(['model', 'add', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not_gguf');
  }, 60_000);

  it('eval --model with a name the cache lacks is a usage error naming `model list`', async () => {
    const r = await runCli([
      'eval',
      '--dataset',
      'eval/benchmark.jsonl',
      '--layers',
      'full',
      '--model',
      'no-such-model',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('governed-mcp model list');
  }, 60_000);
});
