import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readModelRecord } from '../../src/models/cache.js';
import { addModel, pullModel } from '../../src/models/store.js';

/** A small fake GGUF: the magic bytes and padding, never a real model. */
const GGUF = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64 * 1024, 7)]);
const SHA = createHash('sha256').update(GGUF).digest('hex');

type Mode = 'ok' | 'cut-once' | 'ignore-range' | 'redirect' | 'missing';
let mode: Mode = 'ok';
let cuts = 0;
const seen: IncomingHttpHeaders[] = [];
let server: Server;
let base = '';
let dir = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (mode === 'missing') return void res.writeHead(404).end();
    if (mode === 'redirect' && req.url === '/old.gguf') {
      return void res.writeHead(302, { location: '/files/model.gguf' }).end();
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range?.[1] !== undefined && mode !== 'ignore-range') {
      const start = Number(range[1]);
      res.writeHead(206, {
        'content-length': GGUF.length - start,
        'content-range': `bytes ${start}-${GGUF.length - 1}/${GGUF.length}`,
      });
      return void res.end(GGUF.subarray(start));
    }
    res.writeHead(200, { 'content-length': GGUF.length });
    if (mode === 'cut-once' && cuts === 0) {
      cuts++;
      // Half the body, then the connection drops.
      res.write(GGUF.subarray(0, GGUF.length / 2), () => res.socket?.destroy());
      return;
    }
    res.end(GGUF);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-'));
  mode = 'ok';
  cuts = 0;
  seen.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('model pull', () => {
  it('downloads a URL into the cache, checks its sha256 and writes its record', async () => {
    const got = await pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA, name: 'tiny' });
    expect(got.path).toBe(join(dir, 'tiny.gguf'));
    expect(await readFile(got.path)).toEqual(GGUF);
    expect(await readModelRecord(dir, 'tiny')).toMatchObject({
      name: 'tiny',
      sha256: SHA,
      size: GGUF.length,
    });
    expect(existsSync(`${got.path}.part`)).toBe(false);
  });

  it('deletes the download and fails with checksum_mismatch when the sha256 differs', async () => {
    await expect(pullModel(dir, { spec: `${base}/m.gguf`, sha256: 'a'.repeat(64) })).rejects.toMatchObject({
      code: 'checksum_mismatch',
    });
    expect(existsSync(join(dir, 'm.gguf.part'))).toBe(false);
    expect(existsSync(join(dir, 'm.gguf'))).toBe(false);
  });

  it('resumes an interrupted download with a Range request', async () => {
    mode = 'cut-once';
    await expect(pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA })).rejects.toMatchObject({
      code: 'download_interrupted',
    });
    const kept = (await stat(join(dir, 'm.gguf.part'))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(GGUF.length);
    const got = await pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA });
    expect(seen.at(-1)?.range).toBe(`bytes=${kept}-`);
    expect(await readFile(got.path)).toEqual(GGUF);
  });

  it('restarts from the first byte when the server ignores Range and answers 200', async () => {
    await writeFile(join(dir, 'm.gguf.part'), GGUF.subarray(0, 1000));
    mode = 'ignore-range';
    const got = await pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA });
    expect(seen.at(-1)?.range).toBe('bytes=1000-');
    expect(await readFile(got.path)).toEqual(GGUF);
  });

  it('follows a redirect', async () => {
    mode = 'redirect';
    const got = await pullModel(dir, { spec: `${base}/old.gguf`, sha256: SHA });
    expect(seen).toHaveLength(2);
    expect(await readFile(got.path)).toEqual(GGUF);
  });

  it('fails with http_error on a 404', async () => {
    mode = 'missing';
    await expect(pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA })).rejects.toMatchObject({
      code: 'http_error',
      message: expect.stringContaining('404'),
    });
  });

  it('refuses a scheme other than http and https', async () => {
    await expect(pullModel(dir, { spec: 'file:///etc/passwd', sha256: SHA })).rejects.toMatchObject({
      code: 'unsupported_scheme',
    });
    expect(seen).toHaveLength(0);
  });

  it('requires a checksum for a URL outside the catalogue', async () => {
    await expect(pullModel(dir, { spec: `${base}/m.gguf` })).rejects.toMatchObject({
      code: 'checksum_required',
    });
    expect(seen).toHaveLength(0);
  });

  it('refuses to replace a different model of the same name without force', async () => {
    await pullModel(dir, { spec: `${base}/m.gguf`, sha256: SHA, name: 'tiny' });
    const other = join(dir, 'other.gguf');
    await writeFile(other, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(10)]));
    await expect(addModel(dir, other, { name: 'tiny' })).rejects.toMatchObject({ code: 'model_exists' });
    await expect(addModel(dir, other, { name: 'tiny', force: true })).resolves.toMatchObject({ added: true });
  });

  it('says a catalogue entry without a verified URL needs a URL or model add', async () => {
    await expect(pullModel(dir, { spec: 'gemma-3-270m-q4_k_m' })).rejects.toMatchObject({
      code: 'no_source',
    });
  });
});

describe('model add', () => {
  it('refuses a file that does not start with the GGUF magic bytes', async () => {
    const file = join(dir, 'notes.gguf');
    await writeFile(file, 'not a model');
    await expect(addModel(join(dir, 'cache'), file)).rejects.toMatchObject({ code: 'not_gguf' });
    expect(existsSync(join(dir, 'cache', 'notes.gguf'))).toBe(false);
  });

  it('adds a GGUF under its file name with its sha256', async () => {
    const file = join(dir, 'Local-Model.gguf');
    await writeFile(file, GGUF);
    const got = await addModel(join(dir, 'cache'), file);
    expect(got.record).toMatchObject({ name: 'Local-Model', sha256: SHA, size: GGUF.length });
    expect(await readFile(got.path)).toEqual(GGUF);
  });
});
