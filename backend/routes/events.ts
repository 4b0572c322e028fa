import { Hono, type Context } from 'hono';
import type { EventBus } from '../cache/cache.ts';
import type { Admission } from '../concurrency.ts';
import { createEventStreams } from '../event-streams.ts';
import { admit, type Refusal } from './admit.ts';

/** A place frees only when some stream ends, which may take hours: no point asking again soon. */
const refusal: Refusal = {
  client:
    'This client has as many event streams open as it may (MAX_STREAMS_PER_CLIENT); close one, or do without live updates.',
  total: 'The service has as many event streams open as it may (MAX_STREAMS); try again later.',
  retryAfterSeconds: 60,
};

const headers = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' };

/**
 * `/api/events`: `picture-changed` after every upload or delete on any instance, as Server-Sent Events. Streams are
 * bounded per client and in all (`admission`); the rest are refused at once. Streams end when the client goes away
 * or `shutdown` is aborted (a server waits for open streams before it stops).
 */
export function eventRoutes(options: {
  events: EventBus;
  shutdown?: AbortSignal;
  admission: Admission;
  clientOf: (c: Context) => string | undefined;
}) {
  const { admission, clientOf } = options;
  const streams = createEventStreams(options);
  return new Hono().get('/', (c) => {
    // HEAD gets the headers alone: a body that is never read would hold its place until the keep-alives filled it.
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    const release = admit(admission, clientOf(c), refusal);
    return c.body(streams.open(release), 200, headers);
  });
}
