/**
 * The PictureCache and EventBus contracts run against the Redis implementations, on one Redis (`redis.test.ts`) or a
 * Redis Cluster (`redis-cluster.test.ts`): each file says how to connect, quit and count a channel's subscribers.
 * Test code: imported only by tests.
 */
import { describeCache, describeEventBus, sleep, waitFor } from './cache.contract.ts';
import { createRedisCache, createRedisEventBus, type RedisClient } from './redis.ts';

export interface RedisTestClients<C extends RedisClient> {
  /** A client as the entries make it, once ready. */
  connect(): Promise<C>;
  quit(...clients: C[]): Promise<void>;
  /** How many connections are subscribed to `channel`. */
  subscribers(client: C, channel: string): Promise<number>;
  /** A prefix no other test uses, so each has its own keys and totals on the shared server. */
  freshPrefix(): string;
}

/** Runs both contracts with clients from `clients`. */
export function describeRedisContracts<C extends RedisClient>(name: string, clients: RedisTestClients<C>): void {
  describeCache(name, async () => {
    const client = await clients.connect();
    const cache = createRedisCache({ client, prefix: clients.freshPrefix() });
    return {
      cache,
      elapse: sleep,
      dispose: async () => {
        await cache.close();
        await clients.quit(client);
      },
    };
  });

  describeEventBus(name, async () => {
    const prefix = clients.freshPrefix();
    const all = await Promise.all([clients.connect(), clients.connect(), clients.connect(), clients.connect()]);
    const [pubA, subA, pubB, subB] = all as [C, C, C, C];
    const errors: unknown[] = [];
    const bus = createRedisEventBus({ publisher: pubA, subscriber: subA, prefix });
    const other = createRedisEventBus({ publisher: pubB, subscriber: subB, prefix, onError: (e) => errors.push(e) });
    await waitFor(`2 subscribers of ${prefix}events`, async () => (await clients.subscribers(pubA, `${prefix}events`)) === 2);
    return {
      bus,
      other,
      errors,
      dispose: async () => {
        await Promise.all([bus.close(), other.close()]);
        await clients.quit(...all);
      },
    };
  });
}
