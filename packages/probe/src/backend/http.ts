import { isGovernedError } from '@governed-mcp/core';
import { Pool } from 'undici';
import { ProbeErrorCode, probeError } from '../errors.js';
import { tokensAfter } from '../verbalizer.js';
import type { PreparedPrefix, ProbeBackend } from './types.js';

/** Options shared by the HTTP backends. */
export interface HttpBackendOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Extra headers (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Pooled keep-alive connections, also the number of concurrent scores. Default 8. */
  readonly connections?: number;
  /** Time budget of one attempt in ms (the probe's deadline still applies). Default 2000. */
  readonly requestTimeoutMs?: number;
  /** Retries after a network error, 429 or 5xx, as long as the deadline allows. Default 2. */
  readonly retries?: number;
}

/** A JSON-over-HTTP client with a connection pool, per-attempt timeouts and retries within a deadline. */
export interface JsonClient {
  readonly origin: string;
  post(path: string, body: unknown, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Creates the pooled client. Only http(s) URLs are accepted. */
export function createJsonClient(options: HttpBackendOptions): JsonClient {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch (err) {
    throw probeError(ProbeErrorCode.InvalidConfig, `invalid server URL '${options.url}'`, err);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw probeError(ProbeErrorCode.InvalidConfig, `server URL must be http(s), got '${base.protocol}'`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, { connections: options.connections ?? 8, keepAliveTimeout: 30_000 });
  const attemptMs = options.requestTimeoutMs ?? 2000;
  const retries = options.retries ?? 2;
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };

  async function attempt(path: string, payload: string, signal: AbortSignal): Promise<unknown> {
    const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(attemptMs)]);
    const res = await pool.request({
      path: prefix + path,
      method: 'POST',
      headers,
      body: payload,
      signal: attemptSignal,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      const err = probeError(
        ProbeErrorCode.BackendError,
        `${path} answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`,
      );
      (err as { retryable?: boolean }).retryable = RETRYABLE.has(res.statusCode);
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw probeError(ProbeErrorCode.BackendError, `${path} answered with invalid JSON`, cause);
    }
  }

  return {
    origin: base.origin + prefix,
    async post(path, body, signal) {
      const payload = JSON.stringify(body);
      let lastError: unknown;
      for (let i = 0; i <= retries; i++) {
        if (signal.aborted) break;
        try {
          return await attempt(path, payload, signal);
        } catch (err) {
          lastError = err;
          // Network errors, 429 and 5xx may pass; a 4xx or a malformed answer will not get better.
          if (isGovernedError(err) && (err as { retryable?: boolean }).retryable !== true) break;
          if (i < retries) await sleep(25 * 2 ** i, signal);
        }
      }
      if (signal.aborted)
        throw probeError(ProbeErrorCode.Timeout, `${path} ran past the probe's deadline`, lastError);
      if (
        lastError instanceof Error &&
        'code' in lastError &&
        lastError.code === ProbeErrorCode.BackendError
      ) {
        throw lastError;
      }
      throw probeError(
        ProbeErrorCode.BackendError,
        `${path} failed: ${(lastError as Error)?.message}`,
        lastError,
      );
    },
    close: () => pool.close(),
  };
}

/** A number, or a backend error naming what was wrong with the response. */
export function expectNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw probeError(ProbeErrorCode.BackendError, `malformed response: ${what} is not a number`);
  }
  return value;
}

/** An array, or a backend error. */
export function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw probeError(ProbeErrorCode.BackendError, `malformed response: ${what} is not an array`);
  return value;
}

/** An object, or a backend error. */
export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw probeError(ProbeErrorCode.BackendError, `malformed response: ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

/** A server's tokenizer endpoint: text to token ids, with or without special tokens (BOS). */
export type RemoteTokenize = (text: string, special: boolean, signal: AbortSignal) => Promise<number[]>;

/** How long a tokenizer request may take. */
const TOKENIZE_TIMEOUT_MS = 10_000;

/**
 * The backend methods an inference server's tokenizer endpoint gives for free: verbalizer tokens (the
 * tokens of `word` after `cue`) and the prefix's token count. The prefix stays text: the server caches it.
 */
export function remoteTokenizerMethods(
  tokenize: RemoteTokenize,
): Pick<ProbeBackend, 'labelTokens' | 'prepare'> {
  return {
    labelTokens(cue, word, leadingSpace) {
      const signal = AbortSignal.timeout(TOKENIZE_TIMEOUT_MS);
      return tokensAfter((t) => tokenize(t, false, signal), cue, word, leadingSpace);
    },
    async prepare(prefix: string): Promise<PreparedPrefix> {
      const tokens = await tokenize(prefix, true, AbortSignal.timeout(TOKENIZE_TIMEOUT_MS));
      return { text: prefix, tokenCount: tokens.length };
    },
  };
}
