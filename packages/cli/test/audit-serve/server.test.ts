import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListen } from '../../src/audit-serve/command.js';
import { createAuditSource } from '../../src/audit-serve/data.js';
import { type AuditServer, hostAllowed, isLoopback, startAuditServer } from '../../src/audit-serve/server.js';
import { writeGateLog } from './fixture.js';

let server: AuditServer;

beforeAll(async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'gmcp-serve-http-')), 'audit.jsonl');
  await writeGateLog(path);
  server = await startAuditServer({ host: '127.0.0.1', port: 0, data: createAuditSource([path]) });
});
afterAll(() => server.close());

function get(
  path: string,
  method = 'GET',
  host?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the audit viewer server', () => {
  it('serves the page, script and style with a strict content security policy and nosniff', async () => {
    for (const p of ['/', '/app.js', '/app.css', '/api/summary']) {
      const r = await get(p);
      expect(r.status).toBe(200);
      expect(r.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
      );
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await get('/')).body).not.toMatch(/<script>|<style>|https?:\/\/(?!www\.w3\.org)/);
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    expect((await get('/', 'POST')).status).toBe(405);
    expect((await get('/api/summary', 'DELETE')).status).toBe(405);
    const head = await get('/api/summary', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses with 403 a Host header that is not the listen address (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    expect((await get('/', 'GET', `evil.example:${port}`)).status).toBe(403);
    expect((await get('/', 'GET', `127.0.0.1:1`)).status).toBe(403);
    expect((await get('/', 'GET', `localhost:${port}`)).status).toBe(200);
  });

  it('answers the data API and 404 for an unknown session', async () => {
    expect(JSON.parse((await get('/api/summary')).body).files[0]).toMatchObject({ ok: true, records: 13 });
    expect(JSON.parse((await get('/api/records?q=rm%20-rf&limit=9999')).body)).toMatchObject({
      total: 1,
      limit: 500,
    });
    expect(JSON.parse((await get('/api/stats')).body).topDeniedTools[0].name).toBe('delete_file');
    expect(JSON.parse((await get('/api/sessions')).body).sessions).toHaveLength(3);
    expect((await get('/api/session?id=s-alpha')).status).toBe(200);
    expect((await get('/api/session?id=nope')).status).toBe(404);
  });
});

describe('addresses', () => {
  it('knows loopback addresses and accepts only loopback Host names on a loopback listener', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com'].some(isLoopback)).toBe(false);
    expect(hostAllowed('127.0.0.1:80', '127.0.0.1', 80)).toBe(true);
    expect(hostAllowed('[::1]:8080', '::1', 8080)).toBe(true);
    expect(hostAllowed('10.0.0.1:8080', '127.0.0.1', 8080)).toBe(false);
    expect(hostAllowed('10.0.0.1:8080', '0.0.0.0', 8080)).toBe(true);
    expect(hostAllowed('rebind.example:8080', '0.0.0.0', 8080)).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', 8080)).toBe(false);
  });

  it('parses HOST:PORT and refuses a malformed one', () => {
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseListen('localhost')).toBeUndefined();
    expect(parseListen('h:99999')).toBeUndefined();
  });
});
