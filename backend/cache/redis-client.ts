import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

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
