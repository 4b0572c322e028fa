import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { CachedPicture, EventBus, PictureCache } from './cache.ts';
import { checkTtl, createListeners, isCachedPicture, parseEvent, reportListenerError, toCount } from './shared.ts';

/**
 * The ioredis options a runtime entry must create its clients with. A cache that is away must cost a request
 * almost nothing: with these, a command fails at once instead of queueing while Redis is unreachable (the caller
 * then asks the storage), a command on a connection that stops answering fails after `commandTimeout`, and the
 * client reconnects by itself, forever, with a backoff capped at about a second.
 *
 * Until a client is first ready its commands fail too: wait for its `ready` event before serving, or accept that
 * the first requests go to the storage. Listen to its `error` events (ioredis reports each failed reconnect).
 *
 * @example
 * const client = new Redis(process.env.REDIS_URL!, redisClientOptions({ connectionName: 'pictures' }));
 * client.on('error', (error) => console.warn('[redis]', error.message));
 */
export function redisClientOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    // No queue while disconnected: fail now, let the caller go to the storage.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A command in flight when the connection dropped has already failed (commandTimeout) and the caller moved on;
    // resending it later would only repeat it (an INCRBY of the counters twice).
    autoResendUnfulfilledCommands: false,
    // Loopback answers in ~0.1 ms and a LAN in ~1 ms: a third of a second is a Redis in trouble.
    commandTimeout: 300,
    // A server that stops answering without closing the socket: drop it and reconnect.
    socketTimeout: 2_000,
    connectTimeout: 2_000,
    // Never give up (a number every time); 50 ms doubling to 1 s, with jitter so instances do not reconnect in step.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 5), 1_000) + Math.floor(Math.random() * 100),
    ...overrides,
  };
}

/**
 * The ioredis `Cluster` options for a Redis Cluster (`REDIS_CLUSTER_NODES`): the same fail-fast behaviour as
 * {@link redisClientOptions} on every node connection, and auto-pipelining, so the one GET per user of a batch
 * lookup goes out as one pipeline per master (one round trip to each, in parallel). A node that goes away is
 * reconnected at its address; meanwhile the commands for its slots fail at once and the lookup goes to storage.
 *
 * @example
 * const client = new Cluster([{ host: '10.0.0.1', port: 6379 }, { host: '10.0.0.2', port: 6379 }], redisClusterOptions());
 * client.on('error', (error) => console.warn('[redis]', error.message));
 */
export function redisClusterOptions(overrides: ClusterOptions = {}): ClusterOptions {
  const { retryStrategy, enableOfflineQueue, ...node } = redisClientOptions();
  return {
    enableOfflineQueue,
    enableAutoPipelining: true,
    clusterRetryStrategy: retryStrategy,
    clusterNodeRetryStrategy: retryStrategy,
    // No waiting for a failover or a cluster that is down (ioredis would retry for a second or more): the lookup
    // goes to storage now. The slots are refreshed every few seconds and on every MOVED, so a promoted replica is
    // found without it.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    slotsRefreshTimeout: 1_000,
    redisOptions: node,
    ...overrides,
  };
}

/** A single Redis or a Redis Cluster: the cache and the event bus work with either. */
export type RedisClient = Redis | Cluster;

export interface RedisCacheOptions {
  /**
   * Created and closed by the runtime entry: a `Redis` with {@link redisClientOptions}, or a `Cluster` with
   * {@link redisClusterOptions}.
   */
  client: RedisClient;
  /** Prepended to every key, so several services can share one Redis. */
  prefix?: string;
  /** How long counts wait in this process before they are added to the shared totals. */
  flushIntervalMs?: number;
}

/**
 * A {@link PictureCache} in Redis, shared by every instance. Keys: `{prefix}url:{userId}` holds the lookup as JSON
 * (`null` for "no picture") with a PX expiry; `{prefix}stats:hits` and `{prefix}stats:misses` hold the totals of all
 * instances. `getMany` is a single MGET on one Redis; on a Redis Cluster it is one GET per user, which auto-pipelining
 * sends as one pipeline per master. `count` only adds to counters in this process, which are sent about once a second
 * and before `stats()`, so a lookup costs no extra round trip; counts that cannot be sent are kept and sent later. `close()` sends the counts and stops the timer (later counts are ignored); the client
 * stays open: the entry that made it quits it.
 *
 * @example
 * const cache = createRedisCache({ client });
 * const [ada, bob] = await cache.getMany(['ada', 'bob']); // one round trip
 */
export function createRedisCache(options: RedisCacheOptions): PictureCache {
  const { client, prefix = 'pic:', flushIntervalMs = 1_000 } = options;
  if (typeof client?.mget !== 'function') {
    throw new TypeError('createRedisCache: `client` must be an ioredis client: new Redis(url, redisClientOptions())');
  }
  const urlKey = (userId: string): string => `${prefix}url:${userId}`;
  const totalKeys = { hits: `${prefix}stats:hits`, misses: `${prefix}stats:misses` } as const;
  const urlPattern = `${escapeGlob(prefix)}url:*`;
  const pending = { hits: 0, misses: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // Counting walks the whole keyspace, and the stats route needs no login: callers share the walk in progress.
  let counting: Promise<number> | undefined;
  function countKeys(): Promise<number> {
    counting ??= scanCount().finally(() => (counting = undefined));
    return counting;
  }

  // SCAN, not KEYS: it does not block Redis on a large keyspace. A key may be seen twice while Redis rehashes;
  // an estimate is all `keys` promises. A cluster's keys are spread over its masters: each is walked.
  async function scanCount(): Promise<number> {
    const counts = await Promise.all(servers(client).map(async (server) => {
      let keys = 0;
      let cursor = '0';
      do {
        const [next, found] = await server.scan(cursor, 'MATCH', urlPattern, 'COUNT', 1_000);
        keys += found.length;
        cursor = next;
      } while (cursor !== '0');
      return keys;
    }));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  function scheduleFlush(): void {
    if (closed || timer !== undefined || (pending.hits === 0 && pending.misses === 0)) return;
    timer = setTimeout(() => {
      timer = undefined;
      // A failed flush put its counts back; the next timer retries them. The client reports the outage itself.
      flush().then(scheduleFlush, scheduleFlush);
    }, flushIntervalMs);
    unrefTimer(timer);
  }

  /** Adds the pending counts to the totals; whatever fails to be added is pending again. */
  async function flush(): Promise<void> {
    const counters = (['hits', 'misses'] as const)
      .map((name) => ({ name, n: pending[name] }))
      .filter(({ n }) => n > 0);
    if (counters.length === 0) return;
    for (const { name } of counters) pending[name] = 0;
    const putBack = (name: 'hits' | 'misses', n: number): void => {
      pending[name] += n;
    };
    // Two commands, not one pipeline: on a cluster the two counters live in different slots. Sent together, they
    // cost one round trip.
    const results = await Promise.allSettled(counters.map(({ name, n }) => client.incrby(totalKeys[name], n)));
    let failure: unknown;
    counters.forEach(({ name, n }, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        putBack(name, n);
        failure ??= result.reason;
      }
    });
    if (failure) throw failure;
  }

  return {
    kind: 'redis',

    async getMany(userIds) {
      if (userIds.length === 0) return [];
      const keys = userIds.map(urlKey);
      // A cluster refuses an MGET across slots. Grouping by slot would not help: users' keys are spread over 16,384
      // slots, so a batch has about one key per slot. Hash-tagging every key into one slot would keep one MGET but
      // put the whole cache on one master. So one GET per key, sent per master in one pipeline.
      const raws = client.isCluster ? await Promise.all(keys.map((key) => client.get(key))) : await client.mget(keys);
      return raws.map((raw, i): CachedPicture | undefined => {
        if (raw === null) return undefined;
        const value = parseJson(raw);
        if (isCachedPicture(value, userIds[i]!)) return value;
        // A value this code did not write is a miss; dropping it lets the next lookup cache a good one. Not awaited:
        // a lookup stays one round trip (a concurrent good `set` could be dropped too, which costs one miss).
        client.del(keys[i]!).catch(() => {});
        return undefined;
      });
    },

    async set(userId, value, ttlMs, { onlyIfAbsent = false } = {}) {
      checkTtl(ttlMs);
      const key = urlKey(userId);
      const json = JSON.stringify(value);
      const px = Math.max(1, Math.round(ttlMs));
      // NX makes "only if absent" atomic against an upload's write from any instance.
      if (onlyIfAbsent) await client.set(key, json, 'PX', px, 'NX');
      else await client.set(key, json, 'PX', px);
    },

    async delete(userId) {
      await client.del(urlKey(userId));
    },

    count(h, m) {
      if (closed) return;
      pending.hits += toCount(h);
      pending.misses += toCount(m);
      scheduleFlush();
    },

    async stats() {
      await flush();
      const [hits, misses] = await Promise.all([client.get(totalKeys.hits), client.get(totalKeys.misses)]);
      return { hits: Number(hits ?? 0), misses: Number(misses ?? 0), keys: await countKeys() };
    },

    async ping() {
      const masters = servers(client);
      if (!masters.length) throw new Error('no Redis Cluster node is connected');
      for (const reply of await Promise.all(masters.map((server) => server.ping()))) {
        if (reply !== 'PONG') throw new Error(`Redis answered PING with ${String(reply)}`);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      // Shutting down must not wait on a Redis that is away: counts that cannot be sent now are lost.
      await flush().catch(() => {});
    },
  };
}

export interface RedisEventBusOptions {
  /** Sends PUBLISH; may be the cache's client. */
  publisher: RedisClient;
  /**
   * Its own connection: a subscribed connection is reserved for pub/sub under RESP2. On a cluster, a `Cluster` of
   * its own too: PUBLISH reaches the subscribers on every node, and ioredis moves the subscription to another node
   * when its node goes away. Not sharded pub/sub (SPUBLISH): one channel lives on one shard either way, and picture
   * changes are rare enough that the cluster bus carrying each to every node costs nothing that matters.
   */
  subscriber: RedisClient;
  /** The channel is `{prefix}events`. */
  prefix?: string;
  /** Told when a listener throws or SUBSCRIBE fails on a ready connection. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * An {@link EventBus} over Redis pub/sub: an event published by any instance reaches the listeners of every
 * instance (this one's at once, the others' through Redis). Messages are JSON `{userId, version}`; anything else on the channel
 * is ignored. The subscription is made as soon as `subscriber` is ready and renewed after each reconnect; events
 * published while it is down are not seen. `close()` unsubscribes; both clients stay open.
 *
 * @example
 * const bus = createRedisEventBus({ publisher: client, subscriber: client.duplicate() });
 * const stop = bus.subscribe(({ userId, version }) => sse.send(userId, version));
 */
export function createRedisEventBus(options: RedisEventBusOptions): EventBus {
  const { publisher, subscriber, prefix = 'pic:', onError = reportListenerError } = options;
  if (typeof publisher?.publish !== 'function' || typeof subscriber?.subscribe !== 'function') {
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
      await publisher.publish(channel, JSON.stringify({ userId: event.userId, version: event.version, origin }));
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

/** Every server holding keys: the masters of a cluster, or the one Redis. */
function servers(client: RedisClient): Redis[] {
  return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}

/** The instance that published a message, when it says. */
function parseOrigin(message: string): unknown {
  return (parseJson(message) as { origin?: unknown } | undefined)?.origin;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The prefix as a literal in a SCAN MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Lets the process exit while a flush is scheduled (Node's and Deno's timers both have `unref`). */
function unrefTimer(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') {
    timer.unref();
  }
}
