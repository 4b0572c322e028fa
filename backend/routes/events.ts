import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { PictureChangedEvent } from '../../contract/picture.ts';
import type { EventBus } from '../cache/cache.ts';

/** Proxies and load balancers close idle connections; a comment now and then keeps the stream open. */
const KEEP_ALIVE_MS = 20_000;

/** `/api/events`: `picture-changed` after every upload or delete on any instance, as Server-Sent Events. */
export function eventRoutes({ events }: { events: EventBus }) {
  return new Hono().get('/', (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: PictureChangedEvent[] = [];
      let wake = () => {};
      const unsubscribe = events.subscribe((event) => {
        queue.push(event);
        wake();
      });
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      stream.onAbort(() => wake());
      try {
        // A first comment flushes the headers, so the client knows it is subscribed.
        await stream.write(': connected\n\n');
        while (!stream.aborted) {
          for (let event = queue.shift(); event; event = queue.shift()) {
            await stream.writeSSE({ event: 'picture-changed', data: JSON.stringify(event) });
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        clearInterval(keepAlive);
        unsubscribe();
      }
    });
  });
}
