import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { PictureChangedEvent } from '../../contract/picture.ts';
import type { EventBus } from '../cache/cache.ts';

/** Proxies and load balancers close idle connections; a comment now and then keeps the stream open. */
const KEEP_ALIVE_MS = 20_000;

/** A client that reads slower than events arrive is dropped past this many unsent events; it reconnects. */
const MAX_QUEUED = 1_000;

/**
 * `/api/events`: `picture-changed` after every upload or delete on any instance, as Server-Sent Events. Streams
 * end when the client goes away or `shutdown` is aborted (a server waits for open streams before it stops).
 */
export function eventRoutes({ events, shutdown }: { events: EventBus; shutdown?: AbortSignal }) {
  return new Hono().get('/', (c) => {
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: PictureChangedEvent[] = [];
      let wake = () => {};
      const unsubscribe = events.subscribe((event) => {
        if (queue.length < MAX_QUEUED) queue.push(event);
        else void stream.close();
        wake();
      });
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const stop = () => wake();
      stream.onAbort(stop);
      shutdown?.addEventListener('abort', stop);
      const open = () => !stream.aborted && !stream.closed && !shutdown?.aborted;
      try {
        // A first comment flushes the headers, so the client knows it is subscribed.
        await stream.write(': connected\n\n');
        while (open()) {
          for (let event = queue.shift(); event && open(); event = queue.shift()) {
            await stream.writeSSE({ event: 'picture-changed', data: JSON.stringify(event) });
          }
          if (!open()) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        clearInterval(keepAlive);
        shutdown?.removeEventListener('abort', stop);
        unsubscribe();
      }
    });
  });
}
