import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { Routed } from '../../src/mediation/mediator-types.js';
import { BENIGN_CASES, type Carrier, packageLock, SECRET_CASES } from './fixtures/secret-corpus.js';
import { harness } from './harness.js';

type Harness = ReturnType<typeof harness>;
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

// Every string the client receives, and the text of every base64 string among them.
function received(out: Routed): string[] {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      strings.push(v);
      if (v.length >= 12 && /^[A-Za-z0-9+/\s]+=*$/.test(v)) strings.push(Buffer.from(v, 'base64').toString());
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(out.toClient);
  return strings;
}

/** Sends `text` from the server on `carrier`; resolves to what the client receives. */
async function deliver(h: Harness, carrier: Carrier, text: string | readonly string[]): Promise<Routed> {
  const one = typeof text === 'string' ? text : text.join('');
  const answer = (result: unknown) => h.server({ jsonrpc: '2.0', id: 1, result });
  const tool = async (result: unknown) => {
    await h.list();
    await h.call(1, 'read_file', { path: 'x' });
    return answer(result);
  };
  switch (carrier) {
    case 'tool-text':
      return tool({ content: [{ type: 'text', text: one }] });
    case 'tool-split-items':
      return tool({ content: (text as readonly string[]).map((t) => ({ type: 'text', text: t })) });
    case 'tool-structured':
      return tool({ content: [], structuredContent: { config: { deploy: { secret_key: one } } } });
    case 'tool-embedded-resource':
      return tool({ content: [{ type: 'resource', resource: { uri: 'file:///app.yml', text: one } }] });
    case 'tool-image-data':
      return tool({ content: [{ type: 'image', mimeType: 'image/png', data: b64(one) }] });
    case 'resource-text':
    case 'resource-blob': {
      await h.client({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///.env' } });
      const item = carrier === 'resource-text' ? { text: one } : { blob: b64(one) };
      return answer({ contents: [{ uri: 'file:///.env', ...item }] });
    }
    case 'prompt-message':
      await h.client({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'p' } });
      return answer({ messages: [{ role: 'user', content: { type: 'text', text: one } }] });
    case 'completion':
      await h.client({
        jsonrpc: '2.0',
        id: 1,
        method: 'completion/complete',
        params: { ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'key', value: 'sk' } },
      });
      return answer({ completion: { values: ['sk_test', one], total: 2, hasMore: false } });
    case 'error-message':
    case 'error-data':
      await h.list();
      await h.call(1, 'read_file', {});
      return h.server({
        jsonrpc: '2.0',
        id: 1,
        error:
          carrier === 'error-message'
            ? { code: -32000, message: one }
            : { code: -32000, message: 'failed', data: { keyId: one } },
      });
    case 'log-notification':
      return h.server({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: one },
      });
    case 'progress-notification':
      return h.server({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 't', progress: 1, message: one },
      });
    case 'sampling-request':
      return h.server({
        jsonrpc: '2.0',
        id: 'srv-1',
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: one } }], maxTokens: 10 },
      });
    case 'elicitation-request':
      return h.server({
        jsonrpc: '2.0',
        id: 'srv-1',
        method: 'elicitation/create',
        params: { message: one, requestedSchema: { type: 'object', properties: {} } },
      });
  }
}

describe('secrets in server→client messages', () => {
  it('the corpus holds at least forty secret shapes', () => {
    expect(SECRET_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SECRET_CASES.map((c) => [c.name, c] as const))('never lets %s reach the client', async (_, c) => {
    const h = harness();
    const out = await deliver(h, c.carrier, c.text);
    expect(out.toClient.length).toBe(1);
    const leaked = received(out).filter((s) => s.includes(c.secret) || s.includes(b64(c.secret)));
    expect(leaked).toEqual([]);
    expect(JSON.stringify(out)).not.toContain('redaction_failed');
  });
});

describe('ordinary developer work in results', () => {
  it.each(BENIGN_CASES.map((c) => [c.name, c.text] as const))('passes %s unchanged', async (_, text) => {
    const h = harness();
    const result = { content: [{ type: 'text', text }] };
    const out = await deliver(h, 'tool-text', text);
    expect(out.toClient).toEqual([{ jsonrpc: '2.0', id: 1, result } as JSONRPCMessage]);
  });

  it('passes a 1.5 MiB package-lock.json unchanged in reasonable time', async () => {
    const h = harness();
    const text = packageLock(1.5 * 1024 * 1024);
    const started = performance.now();
    const out = await deliver(h, 'tool-text', text);
    const ms = performance.now() - started;
    expect(out.toClient).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } }]);
    expect(ms).toBeLessThan(5000);
  });
});
