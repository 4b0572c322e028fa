// The one reader of the service's event stream (`GET /api/events`, Server-Sent Events) for the tests.
import assert from 'node:assert/strict';

/** One Server-Sent Event: its `event:` line and its `data:` parsed as JSON. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** An open `/api/events` stream, subscribed: what is published from now on arrives on it. */
export interface EventStream {
  /**
   * Reads until `count` events arrived, the stream ended, or `ms` passed (which closes the stream); resolves with them.
   */
  read(count: number, ms: number): Promise<StreamEvent[]>;
  /** Whether the next read finds the stream ended (or cut off): what a stream the service closed gives. */
  ended(): Promise<boolean>;
  close(): void;
}

/**
 * Opens `/api/events` on `base` and resolves once the subscription is live (its first comment has arrived).
 *
 * @example
 * const stream = await openEventStream(service.base);
 * await upload('ada');
 * const [changed] = await stream.read(1, 3_000);
 */
export async function openEventStream(base: string): Promise<EventStream> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/events`, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('Content-Type') ?? '', /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  await reader.read().then(({ value }) => (buffer += value ?? '')); // the subscription is live from the first comment
  return {
    async read(count, ms) {
      const events: StreamEvent[] = [];
      const timer = setTimeout(() => controller.abort(), ms);
      try {
        while (events.length < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = block.match(/^event: (.*)$/m)?.[1];
            const data = block.match(/^data: (.*)$/m)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
      } finally {
        clearTimeout(timer);
      }
      return events;
    },
    ended: () =>
      reader.read().then(
        ({ done }) => done,
        () => true,
      ),
    close: () => controller.abort(),
  };
}

/** Reads the events `/api/events` carries while `trigger` runs, until `count` arrived or `ms` passed since it ended. */
export async function collectEvents(
  base: string,
  trigger: () => Promise<unknown>,
  count: number,
  ms = 3_000,
): Promise<StreamEvent[]> {
  const stream = await openEventStream(base);
  try {
    await trigger();
    return await stream.read(count, ms);
  } finally {
    stream.close();
  }
}
