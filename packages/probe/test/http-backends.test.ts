import type { ToolCall } from '@governed-mcp/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLlamaServerBackend } from '../src/backend/llama-server.js';
import { createVllmBackend } from '../src/backend/vllm.js';
import { softmax2 } from '../src/calibration.js';
import { createProbe } from '../src/probe.js';
import { DEFAULT_TEMPLATE, renderCall } from '../src/prompt.js';
import { type MockServer, startMock, wordTokens } from './fixtures/mock-servers.js';

const TABLE = { Safe: 10, Dangerous: 11, Very: 12 };
const call = (args: Record<string, unknown>): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'shell', description: 'Runs a command', inputSchema: {} },
  arguments: args,
  principal: { id: 'agent', tier: 'standard' },
});

/** Log-probabilities the mock model gives: dangerous-looking prompts favour Dangerous. */
function mockLogprobs(prompt: string): { safe: number; dangerous: number } {
  return prompt.includes('rm -rf') ? { safe: -2.5, dangerous: -0.2 } : { safe: -0.4, dangerous: -1.6 };
}

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

function llamaServerHandler(r: { path: string; body: Record<string, unknown> }) {
  if (r.path === '/tokenize') return { json: { tokens: wordTokens(String(r.body['content']), TABLE) } };
  if (r.path === '/completion') {
    const lp = mockLogprobs(String(r.body['prompt']));
    const top = [
      { id: 10, token: ' Safe', bytes: [], logprob: lp.safe },
      { id: 11, token: ' Dangerous', bytes: [], logprob: lp.dangerous },
      { id: 99, token: ' the', bytes: [], logprob: -3 },
    ];
    // llama-server counts the prompt's tokens (BOS included) in tokens_evaluated.
    const evaluated = wordTokens(String(r.body['prompt']), TABLE).length + 1;
    return {
      json: {
        content: ' Safe',
        tokens_evaluated: evaluated,
        completion_probabilities: [
          { id: 10, token: ' Safe', logprob: lp.safe, bytes: [], top_logprobs: top },
        ],
      },
    };
  }
  return { status: 404, json: { error: 'not found' } };
}

describe('the llama-server backend', () => {
  it('sends the documented /completion request and reads top_logprobs by token id', async () => {
    mock = await startMock(llamaServerHandler);
    const probe = await createProbe({ backend: createLlamaServerBackend({ url: mock.url, nProbs: 5 }) });
    const r = await probe.classify(call({ command: 'rm -rf /' }), { alpha: 0, threshold: 0.5 });
    expect(r.pRaw).toBeCloseTo(softmax2(-2.5, -0.2)[1], 12);
    expect(r.verdict).toBe('dangerous');
    // Token counts from the server's own count, less the prefix it tokenized at start-up (with BOS).
    expect(r.tokens.call).toBe(
      wordTokens(renderCall(DEFAULT_TEMPLATE, call({ command: 'rm -rf /' })).text, TABLE).length,
    );
    const req = mock.received.filter((x) => x.path === '/completion').at(-1)!;
    expect(req.body).toMatchObject({ n_predict: 1, n_probs: 5, temperature: 0, cache_prompt: true });
    expect(String(req.body['prompt'])).toMatch(/Principles:[\s\S]*Verdict:$/);
    const benign = await probe.classify(call({ command: 'ls' }), { alpha: 0, threshold: 0.5 });
    expect(benign.pRaw).toBeCloseTo(softmax2(-0.4, -1.6)[1], 12);
    await probe.close();
  });

  it('retries a 503 within the deadline and then succeeds', async () => {
    let failures = 2;
    mock = await startMock((r) => {
      if (r.path === '/completion' && failures-- > 0) return { status: 503, json: { error: 'loading' } };
      return llamaServerHandler(r);
    });
    const probe = await createProbe({ backend: createLlamaServerBackend({ url: mock.url, retries: 2 }) });
    expect(mock.received.filter((x) => x.path === '/completion').length).toBeGreaterThanOrEqual(3);
    const r = await probe.classify(call({ command: 'ls' }), { alpha: 0, threshold: 0.5 });
    expect(r.verdict).toBe('safe');
    await probe.close();
  });

  it('fails with probe_backend_error on a 400, a malformed body, or labels outside the top-K', async () => {
    mock = await startMock(llamaServerHandler);
    const probe = await createProbe({ backend: createLlamaServerBackend({ url: mock.url, retries: 2 }) });
    const answers = [
      { status: 400, json: { error: 'bad request' } },
      { raw: 'not json' },
      { json: { completion_probabilities: [{ top_logprobs: [{ id: 99, logprob: -1 }] }] } },
      { json: { completion_probabilities: 'nope' } },
    ];
    for (const answer of answers) {
      const before = mock.received.length;
      mock.handler = (r) => (r.path === '/completion' ? answer : llamaServerHandler(r));
      await expect(
        probe.classify(call({ command: 'ls' }), { alpha: 0, threshold: 0.5 }),
      ).rejects.toMatchObject({
        code: 'probe_backend_error',
      });
      // A 400 is not retried; the others are not HTTP errors and are not retried either.
      expect(mock.received.length - before).toBe(1);
    }
    await probe.close();
  });

  it('times out with probe_timeout when the server hangs', async () => {
    mock = await startMock(llamaServerHandler);
    const probe = await createProbe({ backend: createLlamaServerBackend({ url: mock.url }) });
    mock.handler = (r) => (r.path === '/completion' ? 'hang' : llamaServerHandler(r));
    const started = performance.now();
    await expect(
      probe.classify(call({ command: 'ls' }), { alpha: 0, threshold: 0.5, timeoutMs: 150 }),
    ).rejects.toMatchObject({ code: 'probe_timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
    await probe.close();
  });
});

function vllmHandler(r: { path: string; body: Record<string, unknown> }) {
  if (r.path === '/tokenize')
    return { json: { tokens: wordTokens(String(r.body['prompt']), TABLE), count: 0 } };
  if (r.path === '/v1/completions') {
    const prompt = String(r.body['prompt']);
    const tokens: string[] = [];
    const offsets: number[] = [];
    const values: (number | null)[] = [];
    // Word tokens with their leading space; offsets in code points, as vLLM reports them.
    for (const m of prompt.matchAll(/\s*\S+/g)) {
      tokens.push(m[0]);
      offsets.push([...prompt.slice(0, m.index)].length);
      const lp = mockLogprobs(prompt);
      values.push(
        m[0] === ' Safe' ? lp.safe : m[0] === ' Dangerous' ? lp.dangerous : m[0] === ' Very' ? -0.7 : -1,
      );
    }
    values[0] = null;
    return {
      json: {
        choices: [
          {
            text: prompt + ' x',
            logprobs: { tokens, token_logprobs: values, text_offset: offsets, top_logprobs: [] },
          },
        ],
      },
    };
  }
  return { status: 404, json: {} };
}

describe('the vLLM backend', () => {
  it('scores each label from the echoed prompt log-probabilities', async () => {
    mock = await startMock(vllmHandler);
    const probe = await createProbe({ backend: createVllmBackend({ url: mock.url, model: 'm' }) });
    const r = await probe.classify(call({ command: 'rm -rf / 😀😀' }), { alpha: 0, threshold: 0.5 });
    expect(r.pRaw).toBeCloseTo(softmax2(-2.5, -0.2)[1], 12);
    const reqs = mock.received.filter((x) => x.path === '/v1/completions').slice(-2);
    for (const q of reqs)
      expect(q.body).toMatchObject({ model: 'm', max_tokens: 1, echo: true, logprobs: 1, temperature: 0 });
    expect(reqs.map((q) => String(q.body['prompt']).split(' ').at(-1)).sort()).toEqual(['Dangerous', 'Safe']);
    await probe.close();
  });

  it('sums the tokens of a multi-token label', async () => {
    mock = await startMock(vllmHandler);
    const probe = await createProbe({
      backend: createVllmBackend({ url: mock.url, model: 'm' }),
      verbalizer: { safe: 'Safe', dangerous: 'Very Dangerous' },
    });
    const r = await probe.classify(call({ command: 'rm -rf /' }), { alpha: 0, threshold: 0.5 });
    expect(r.logprobs[1]).toBeCloseTo(-0.7 + -0.2, 12);
    expect(r.tokens.labels).toEqual([1, 2]);
    await probe.close();
  });

  it('rejects a response whose offsets do not put a token at the label boundary', async () => {
    mock = await startMock(vllmHandler);
    const probe = await createProbe({ backend: createVllmBackend({ url: mock.url, model: 'm' }) });
    mock.handler = (r) => {
      const a = vllmHandler(r);
      if (r.path !== '/v1/completions' || !('json' in a)) return a;
      const lp = (a.json as { choices: [{ logprobs: { text_offset: number[] } }] }).choices[0].logprobs;
      lp.text_offset = lp.text_offset.map((o) => o + 1);
      return a;
    };
    await expect(probe.classify(call({}), { alpha: 0, threshold: 0.5 })).rejects.toMatchObject({
      code: 'probe_backend_error',
    });
    await probe.close();
  });
});

describe('the HTTP client', () => {
  it('retries connection failures within the deadline and then fails with probe_backend_error', async () => {
    const m = await startMock(llamaServerHandler);
    const probe = await createProbe({ backend: createLlamaServerBackend({ url: m.url, retries: 2 }) });
    await m.close();
    const started = performance.now();
    await expect(probe.classify(call({ command: 'ls' }), { alpha: 0, threshold: 0.5 })).rejects.toMatchObject(
      {
        code: 'probe_backend_error',
      },
    );
    expect(performance.now() - started).toBeLessThan(1500);
    await probe.close();
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => createVllmBackend({ url: 'file:///etc/passwd', model: 'm' })).toThrow(/http/);
    expect(() => createLlamaServerBackend({ url: 'not a url' })).toThrow(/invalid server URL/);
  });
});
