import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, MediationCode } from '@governed-mcp/middleware-mcp';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { IdScanner, scanId } from './line-framing.js';
import { RUNNER_LAYER } from './wire.js';

/** A POST body read with the frame limit: parsed JSON, or why not (with the request's id when found). */
export type ReadBody =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly code: 'frame_too_large' | 'parse_error';
      readonly message: string;
      readonly id: string | number | null;
    };

/**
 * Reads a request body, holding at most `maxBytes`: past the limit the rest only passes through an
 * `IdScanner`, so the refusal carries the request's id without the body ever being held whole.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  const parts: Buffer[] = [];
  let size = 0;
  let scanner: IdScanner | undefined;
  for await (const chunk of req) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (scanner !== undefined) scanner.feed(b);
    else if (size > maxBytes) {
      scanner = new IdScanner();
      for (const p of parts.splice(0)) scanner.feed(p);
      scanner.feed(b);
    } else parts.push(b);
  }
  if (scanner !== undefined) {
    return { ok: false, code: 'frame_too_large', message: `body exceeds ${maxBytes} bytes`, id: scanner.id };
  }
  const raw = Buffer.concat(parts);
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false, code: 'parse_error', message: 'body is not valid JSON', id: scanId(raw) };
  }
}

/** The one answer to a JSON-RPC batch (MCP 2025-06-18 removed them), on every transport. */
export function batchRefusal(): JSONRPCMessage {
  return errorResponse(null, {
    layer: RUNNER_LAYER,
    code: MediationCode.BatchRefused,
    reason: 'JSON-RPC batches are not part of MCP since 2025-06-18',
  });
}

/** The answer to a request whose id is already in flight in its session. */
export function duplicateRefusal(id: string | number): JSONRPCMessage {
  return errorResponse(id, {
    layer: RUNNER_LAYER,
    code: MediationCode.DuplicateId,
    reason: `id ${JSON.stringify(id)} is already in flight`,
  });
}

/** Answers a POST with one JSON-RPC message. */
export function replyMessage(res: ServerResponse, status: number, message: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(message));
}

/** The id of a request body (a method and a string or number id), else undefined. */
export function requestId(body: unknown): string | number | undefined {
  const m = body as { id?: unknown; method?: unknown } | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m) || typeof m.method !== 'string')
    return undefined;
  return typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
}

/** Marks `key` in flight until it is answered or its POST's response closes (the stream is gone). */
export function track(inFlight: Map<string, ServerResponse>, key: string, res: ServerResponse): void {
  inFlight.set(key, res);
  res.once('close', () => {
    if (inFlight.get(key) === res) inFlight.delete(key);
  });
}
