import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Bridge, ClientSink } from './bridge.js';
import { LineDecoder } from './line-framing.js';
import type { Logger } from './log.js';
import { runnerError } from './wire.js';

/** Options of the stdio listener. */
export interface StdioDownstreamOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly maxFrameBytes: number;
  /** Bytes queued for a slow client before the runner stops reading its input. */
  readonly maxQueuedBytes: number;
  readonly log: Logger;
}

/**
 * Why reading ended: the client closed its input (it may still read our output), its input or our
 * output failed (it cannot), or the runner stopped reading.
 */
export type StdioEnd = 'input_ended' | 'input_error' | 'output_error' | 'stopped';

/** The stdio side of the runner: one session, framed as JSON lines. */
export interface StdioDownstream {
  readonly sink: ClientSink;
  /** Starts reading frames into `bridge`; resolves, once, with why reading ended. */
  run(bridge: Bridge): Promise<StdioEnd>;
  /** Stops reading (idempotent); what is queued is still written. */
  stop(): void;
  /** Resolves once everything queued so far has been written, or after `timeoutMs` (a client that never reads). */
  flush(timeoutMs?: number): Promise<void>;
}

/**
 * Creates the stdio listener. Frames are read with a byte limit before they are parsed, so a hostile
 * client cannot make the runner buffer an unbounded line; a slow reader of our output pauses our
 * reading of its input (backpressure) instead of growing a queue without bound.
 */
export function createStdioDownstream(o: StdioDownstreamOptions): StdioDownstream {
  const decoder = new LineDecoder(o.maxFrameBytes);
  let queued = 0;
  let paused = false;
  let stopped = false;
  let onEnd: ((end: StdioEnd) => void) | undefined;
  const drained: (() => void)[] = [];

  let corked = false;

  function write(m: JSONRPCMessage): Promise<void> {
    const line = `${JSON.stringify(m)}\n`;
    const bytes = Buffer.byteLength(line);
    queued += bytes;
    // The frames of one turn go out in one write (the stream writes them as a batch on uncork).
    if (!corked) {
      corked = true;
      o.output.cork();
      process.nextTick(() => {
        corked = false;
        o.output.uncork();
      });
    }
    return new Promise((resolve) => {
      const ok = o.output.write(line, () => {
        queued -= bytes;
        if (queued === 0) for (const f of drained.splice(0)) f();
        if (paused && queued < o.maxQueuedBytes / 2) {
          paused = false;
          if (!stopped) o.input.resume();
          o.log.info('client_backpressure_released', { queued });
        }
        resolve();
      });
      if (!ok && queued > o.maxQueuedBytes && !paused) {
        paused = true;
        o.input.pause();
        o.log.warn('client_backpressure', { queued });
      }
    });
  }

  const sink: ClientSink = { send: (m) => write(m) };

  function run(bridge: Bridge): Promise<StdioEnd> {
    return new Promise((resolve) => {
      onEnd = resolve;
      o.input.on('data', (chunk: Buffer | string) => {
        if (stopped) return;
        const lines = decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        for (const line of lines) {
          if (line.ok) {
            void bridge.fromClient(line.value);
          } else if (line.reason === 'too_large') {
            // Answered with the request's own id (found by a bounded scan), so its caller is not left waiting.
            o.log.warn('frame_too_large', { bytes: line.bytes, limit: o.maxFrameBytes, id: line.id });
            void write(runnerError(line.id, 'frame_too_large', `frame exceeds ${o.maxFrameBytes} bytes`));
          } else {
            o.log.warn('frame_parse_error', { bytes: line.bytes, id: line.id });
            void write(runnerError(line.id, 'parse_error', 'frame is not valid JSON'));
          }
        }
      });
      // A client that went away mid-write (EPIPE) ends the session like a closed input, not a crash.
      o.output.on('error', (err) => {
        o.log.warn('client_output_error', { message: err.message });
        stopped = true;
        resolve('output_error');
      });
      // The first of these settles the promise; the others are no-ops.
      o.input.once('end', () => resolve('input_ended'));
      o.input.once('close', () => resolve('input_ended'));
      o.input.once('error', (err) => {
        o.log.warn('client_input_error', { message: err.message });
        resolve('input_error');
      });
    });
  }

  return {
    sink,
    run,
    stop() {
      stopped = true;
      o.input.pause();
      onEnd?.('stopped');
    },
    flush(timeoutMs = 2000) {
      if (queued === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          o.log.warn('client_flush_timeout', { queued });
          resolve();
        }, timeoutMs);
        drained.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
