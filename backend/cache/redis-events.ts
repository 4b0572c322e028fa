import type { EventBus } from './cache.ts';
import type { RedisClient } from './redis-client.ts';
import { createListeners, parseEvent, parseJson, reportListenerError } from './shared.ts';

export interface RedisEventBusOptions {
  /** Sends PUBLISH (through EVAL, see {@link PUBLISH}); may be the cache's client. */
  publisher: RedisClient;
  /**
   * Its own connection: a subscribed connection is reserved for pub/sub under RESP2. On a cluster, a `Cluster` of
   * its own too: PUBLISH reaches the subscribers on every node, and ioredis moves the subscription to another node
   * when its node goes away. Not sharded pub/sub (SPUBLISH): picture changes are rare enough that the cluster bus
   * carrying each to every node costs nothing that matters.
   */
  subscriber: RedisClient;
  /** The channel is `{prefix}events`. */
  prefix?: string;
  /** Told when a listener throws or SUBSCRIBE fails on a ready connection. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * An {@link EventBus} over Redis pub/sub: an event published by any instance reaches the listeners of every
 * instance (this one's at once, the others' through Redis). Messages are JSON `{userId, version}`; anything else on the
 * channel is ignored. The subscription is made as soon as `subscriber` is ready and renewed after each reconnect;
 * events published while it is down are not seen. `close()` unsubscribes; both clients stay open.
 *
 * @example
 * const bus = createRedisEventBus({ publisher: client, subscriber: client.duplicate() });
 * const stop = bus.subscribe(({ userId, version }) => sse.send(userId, version));
 */
export function createRedisEventBus(options: RedisEventBusOptions): EventBus {
  const { publisher, subscriber, prefix = 'pic:', onError = reportListenerError } = options;
  if (typeof publisher?.eval !== 'function' || typeof subscriber?.subscribe !== 'function') {
    throw new TypeError('createRedisEventBus: `publisher` and `subscriber` must be ioredis clients');
  }
  const channel = `${prefix}events`;
  const listeners = createListeners(onError);
  let closed = false;

  // This instance's own events are delivered at once, not through Redis, so they reach local listeners even while
  // Redis is away; the copy that comes back from Redis carries this id and is skipped.
  const origin = crypto.randomUUID();
  const onMessage = (from: string, message: string): void => {
    if (closed || from !== channel) return;
    const event = parseEvent(message);
    if (event && parseOrigin(message) !== origin) listeners.deliver(event);
  };

  // Without an offline queue SUBSCRIBE fails until the connection is ready, so it is (re)sent on every `ready`.
  // ioredis also resubscribes after a reconnect by itself; subscribing twice to one channel is harmless.
  const subscribeChannel = (): void => {
    subscriber.subscribe(channel).catch((error: unknown) => {
      if (subscriber.status === 'ready') onError(error);
    });
  };
  subscriber.on('message', onMessage);
  subscriber.on('ready', subscribeChannel);
  if (subscriber.status === 'ready') subscribeChannel();

  return {
    async publish(event) {
      if (closed) return;
      listeners.deliver(event);
      await publisher.eval(
        PUBLISH,
        1,
        channel,
        JSON.stringify({ userId: event.userId, version: event.version, origin }),
      );
    },

    subscribe(listener) {
      return closed ? () => {} : listeners.subscribe(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      subscriber.off('message', onMessage);
      subscriber.off('ready', subscribeChannel);
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}

/**
 * PUBLISH, from a script that names the channel as its key: on a cluster the script runs on the node that owns the
 * channel's slot, so every event goes through that one node and reaches each subscriber in the order published.
 * A plain PUBLISH names no key, so ioredis sends each to any node, and two events in a row (a new picture, then its
 * removal) could arrive the other way round on another node.
 */
const PUBLISH = "return redis.call('PUBLISH', KEYS[1], ARGV[1])";

/** The instance that published a message, when it says. */
function parseOrigin(message: string): unknown {
  return (parseJson(message) as { origin?: unknown } | undefined)?.origin;
}
