import { isGovernedError } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../src/config.js';

const refused = (probe: unknown): string => {
  try {
    parseProxyConfig({ probe });
  } catch (err) {
    expect(isGovernedError(err, 'invalid_config')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('the proxy configuration of the probe', () => {
  it('names the server behind probe.url and the model a vLLM server serves', () => {
    const c = parseProxyConfig({
      probe: {
        url: 'http://127.0.0.1:8000',
        kind: 'vllm',
        servedModel: 'guard-8b',
        alpha: 1,
        threshold: 0.7,
      },
    });
    expect(c.probe).toMatchObject({ kind: 'vllm', servedModel: 'guard-8b', alpha: 1, threshold: 0.7 });
    expect(parseProxyConfig({ probe: { url: 'http://127.0.0.1:8080' } }).probe?.kind).toBeUndefined();
  });

  it('refuses a vLLM server without its served model, a kind without a URL, an unknown kind and a point out of range', () => {
    expect(refused({ url: 'http://127.0.0.1:8000', kind: 'vllm' })).toMatch(/servedModel/);
    expect(refused({ model: 'm.gguf', kind: 'llama-cpp-python' })).toMatch(/probe\.url/);
    expect(refused({ url: 'http://127.0.0.1:8000', kind: 'ollama' })).toMatch(/kind/);
    expect(refused({ model: 'm.gguf', threshold: 1 })).toMatch(/threshold/);
    expect(refused({ model: 'm.gguf', alpha: -0.1 })).toMatch(/alpha/);
  });
});
