import type { ToolCall } from '@governed-mcp/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiCompletionsBackend } from '../src/backend/openai-completions.js';
import { softmax2 } from '../src/calibration.js';
import { createProbe } from '../src/probe.js';
import { DEFAULT_TEMPLATE, renderCall } from '../src/prompt.js';
import { type MockServer, startMock } from './fixtures/mock-servers.js';

const BOS = 2;
const call = (args: Record<string, unknown>): ToolCall => ({
  method: 'tools/call',
  tool: { name: 'shell', description: 'Runs a command', inputSchema: {} },
  arguments: args,
  principal: { id: 'agent', tier: 'standard' },
});

/** The mock tokenizer: each non-space run with the whitespace before it is one token. */
const pieces = (text: string): string[] => text.match(/\s*\S+/g) ?? [];
const idOf = (piece: string): number =>
  [...piece].reduce((h, c) => (h * 31 + c.codePointAt(0)!) % 100_000, 7) + 10;

function logprobs(prompt: string): { safe: number; dangerous: number } {
  return prompt.includes('rm -rf') ? { safe: -2.5, dangerous: -0.2 } : { safe: -0.4, dangerous: -1.6 };
}

/**
 * llama-cpp-python's shapes: `/extras/tokenize` always adds BOS; a completion generates the tokens its
 * `logit_bias` forces and reports their log-probabilities, and counts BOS in `usage.prompt_tokens`.
 */
function llamaCppPythonHandler(r: { path: string; body: Record<string, unknown> }) {
  if (r.path === '/extras/tokenize') {
    return { json: { tokens: [BOS, ...pieces(String(r.body['input'])).map(idOf)] } };
  }
  if (r.path === '/v1/completions') {
    const prompt = String(r.body['prompt']);
    const lp = logprobs(prompt);
    const byId = new Map([
      [idOf(' Safe'), { text: ' Safe', logprob: lp.safe }],
      [idOf(' Dangerous'), { text: ' Dangerous', logprob: lp.dangerous }],
    ]);
    const forced = Object.keys((r.body['logit_bias'] as Record<string, number>) ?? {}).map((id) =>
      byId.get(Number(id)),
    );
    const out = forced.length > 0 ? forced : [{ text: ' the', logprob: -3 }];
    return {
      json: {
        choices: [
          {
            text: out.map((t) => t?.text ?? '?').join(''),
            logprobs: { tokens: [], token_logprobs: out.map((t) => t?.logprob ?? -9), text_offset: [] },
          },
        ],
        usage: { prompt_tokens: 1 + pieces(prompt).length, completion_tokens: out.length },
      },
    };
  }
  return { status: 404, json: { detail: 'Not Found' } };
}

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('the OpenAI-completions backend, llama-cpp-python flavor', () => {
  it('tokenizes through /extras/tokenize and scores each label by forcing it with logit_bias', async () => {
    mock = await startMock(llamaCppPythonHandler);
    const backend = createOpenAiCompletionsBackend({ url: mock.url, flavor: 'llama-cpp-python' });
    const probe = await createProbe({ backend });
    const r = await probe.classify(call({ command: 'rm -rf / 😀😀' }), { alpha: 0, threshold: 0.5 });
    expect(r.pRaw).toBeCloseTo(softmax2(-2.5, -0.2)[1], 12);
    expect(r.verdict).toBe('dangerous');
    const tokenize = mock.received.find((x) => x.path === '/extras/tokenize');
    expect(Object.keys(tokenize?.body ?? {})).toEqual(['input']);
    const reqs = mock.received.filter((x) => x.path === '/v1/completions').slice(-2);
    for (const q of reqs) {
      expect(q.body).toMatchObject({ max_tokens: 1, logprobs: 1, temperature: 0 });
      expect(q.body).not.toHaveProperty('echo');
      expect(q.body).not.toHaveProperty('model');
      expect(String(q.body['prompt']).endsWith('Verdict:')).toBe(true);
    }
    expect(reqs.map((q) => Object.entries(q.body['logit_bias'] as object)).sort()).toEqual(
      [[[String(idOf(' Safe')), 100]], [[String(idOf(' Dangerous')), 100]]].sort(),
    );
    expect(backend.describe()).toMatchObject({ kind: 'llama-cpp-python' });
    await probe.close();
  });

  it("counts the call's tokens from the server's prompt count, BOS counted on both sides", async () => {
    mock = await startMock(llamaCppPythonHandler);
    const probe = await createProbe({
      backend: createOpenAiCompletionsBackend({ url: mock.url, flavor: 'llama-cpp-python' }),
    });
    const c = call({ command: 'ls -la' });
    const r = await probe.classify(c, { alpha: 0, threshold: 0.5 });
    expect(r.tokens.call).toBe(pieces(renderCall(DEFAULT_TEMPLATE, c).text).length);
    await probe.close();
  });

  it('sends the served model name when one is given', async () => {
    mock = await startMock(llamaCppPythonHandler);
    const probe = await createProbe({
      backend: createOpenAiCompletionsBackend({ url: mock.url, flavor: 'llama-cpp-python', model: 'gemma' }),
    });
    await probe.classify(call({}), { alpha: 0, threshold: 0.5 });
    for (const q of mock.received) expect(q.body).toMatchObject({ model: 'gemma' });
    await probe.close();
  });

  it('rejects an answer that is not the forced label with probe_backend_error', async () => {
    mock = await startMock(llamaCppPythonHandler);
    const probe = await createProbe({
      backend: createOpenAiCompletionsBackend({ url: mock.url, flavor: 'llama-cpp-python' }),
    });
    mock.handler = (r) => {
      const a = llamaCppPythonHandler(r);
      if (r.path !== '/v1/completions' || !('json' in a)) return a;
      (a.json as { choices: [{ text: string }] }).choices[0].text = ' Sa';
      return a;
    };
    await expect(probe.classify(call({}), { alpha: 0, threshold: 0.5 })).rejects.toMatchObject({
      code: 'probe_backend_error',
    });
    await probe.close();
  });

  it('rejects an unknown flavor with probe_invalid_config', () => {
    expect(() =>
      createOpenAiCompletionsBackend({ url: 'http://127.0.0.1:1', flavor: 'tgi' as unknown as 'vllm' }),
    ).toThrow(expect.objectContaining({ code: 'probe_invalid_config' }));
  });
});
