import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * A fetch for the HTTP upstream that caps what one message may cost: a JSON body over `maxBytes`, or an
 * SSE event (the bytes between blank lines) over `maxBytes`, errors the stream instead of being buffered.
 * The request it belonged to then fails closed (timeout), and the runner's memory stays bounded.
 */
export function limitedFetch(maxBytes: number, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if (res.body === null) return res;
    const sse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    let size = 0;
    let newline = false;
    const limiter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (!sse) {
          size += chunk.length;
        } else {
          for (const b of chunk) {
            if (b === 0x0a) {
              if (newline) size = 0;
              newline = true;
            } else if (b !== 0x0d) {
              newline = false;
              size++;
            }
          }
        }
        if (size > maxBytes) {
          controller.error(new Error(`an upstream message exceeds ${maxBytes} bytes`));
          return;
        }
        controller.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(limiter), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
