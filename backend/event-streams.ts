import type { EventBus } from './cache/cache.ts';

/** Proxies and load balancers close idle connections; a comment now and then keeps the streams open. */
const KEEP_ALIVE_MS = 20_000;

/** A client that reads slower than events arrive is dropped past this many unsent chunks; it reconnects. */
const MAX_QUEUED = 1_000;

const encoder = new TextEncoder();
// Sent first, so the client knows it is subscribed (it flushes the headers).
const CONNECTED = encoder.encode(': connected\n\n');
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');

/** The open `/api/events` streams of one app. */
export interface EventStreams {
  /**
   * A new stream's body: `picture-changed` Server-Sent Events from now on. `onEnd` is called once when the stream
   * ends, however it ends: the client went away or read too slowly, or the server is stopping.
   */
  open(onEnd: () => void): ReadableStream<Uint8Array>;
}

/**
 * Every open stream shares one subscription to the bus, one keep-alive timer and one shutdown listener, and each
 * event is encoded once for all of them: a stream costs its queue and little more, and a thousand streams add no
 * listener to the shutdown signal (Node warns past ten). Streams end when `shutdown` is aborted, so a server that
 * waits for open requests before it stops is not kept waiting.
 *
 * @example
 * const streams = createEventStreams({ events, shutdown: controller.signal });
 * return new Response(streams.open(() => release()), { headers: { 'Content-Type': 'text/event-stream' } });
 */
export function createEventStreams({ events, shutdown }: { events: EventBus; shutdown?: AbortSignal }): EventStreams {
  const open = new Map<ReadableStreamDefaultController<Uint8Array>, () => void>();
  let unsubscribe = () => {};
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const onEnd = open.get(controller);
    if (!onEnd) return;
    open.delete(controller);
    if (!open.size) {
      unsubscribe();
      clearInterval(keepAlive);
    }
    try {
      controller.close();
    } catch {
      // Cancelled by the client: nothing left to close.
    }
    onEnd();
  };
  const send = (chunk: Uint8Array) => {
    for (const controller of [...open.keys()]) {
      if ((controller.desiredSize ?? 0) > 0) controller.enqueue(chunk);
      else end(controller);
    }
  };
  shutdown?.addEventListener('abort', () => [...open.keys()].forEach(end), { once: true });

  return {
    open(onEnd) {
      let self: ReadableStreamDefaultController<Uint8Array>;
      return new ReadableStream<Uint8Array>(
        {
          start(controller) {
            self = controller;
            if (shutdown?.aborted) {
              controller.close();
              onEnd();
              return;
            }
            open.set(controller, onEnd);
            if (open.size === 1) {
              unsubscribe = events.subscribe((event) =>
                send(encoder.encode(`event: picture-changed\ndata: ${JSON.stringify(event)}\n\n`)),
              );
              keepAlive = setInterval(() => send(KEEP_ALIVE), KEEP_ALIVE_MS);
            }
            controller.enqueue(CONNECTED);
          },
          cancel() {
            end(self);
          },
        },
        new CountQueuingStrategy({ highWaterMark: MAX_QUEUED }),
      );
    },
  };
}
