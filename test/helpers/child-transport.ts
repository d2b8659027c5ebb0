import type { ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * A client transport over a child process we spawned ourselves (so the test keeps the process handle,
 * its stderr and its exit code). Closing it ends the child's stdin, as an MCP client does.
 */
export function childTransport(child: ChildProcess): Transport {
  const buffer = new ReadBuffer();
  const t: Transport = {
    async start() {
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer.append(chunk);
        for (;;) {
          let m: JSONRPCMessage | null;
          try {
            m = buffer.readMessage();
          } catch (err) {
            t.onerror?.(err as Error);
            continue;
          }
          if (m === null) break;
          t.onmessage?.(m);
        }
      });
      child.once('exit', () => t.onclose?.());
    },
    async send(message) {
      await new Promise<void>((resolve, reject) =>
        child.stdin!.write(serializeMessage(message), (err) => (err ? reject(err) : resolve())),
      );
    },
    async close() {
      child.stdin!.end();
    },
  };
  return t;
}
