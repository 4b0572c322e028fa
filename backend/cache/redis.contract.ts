/**
 * The LookupCache and EventBus contracts run against the Redis implementations, on one Redis (`redis-cache.test.ts`,
 * `redis-events.test.ts`) or a Redis Cluster (`redis-cluster.test.ts`): each file says how to connect, quit and count
 * a channel's subscribers. Test code: imported only by tests.
 */
import { sleep, until } from '../../scripts/testing/wait.ts';
import { describeCache, describeEventBus } from './cache.contract.ts';
import { createRedisCache } from './redis-cache.ts';
import type { RedisClient } from './redis-client.ts';
import { createRedisEventBus } from './redis-events.ts';

export interface RedisTestClients<C extends RedisClient> {
  /** A client as the entries make it, once ready. */
  connect(): Promise<C>;
  quit(...clients: C[]): Promise<void>;
  /** How many connections are subscribed to `channel`. */
  subscribers(client: C, channel: string): Promise<number>;
  /** A prefix no other test uses, so each has its own keys and totals on the shared server. */
  freshPrefix(): string;
}

/** Runs the LookupCache contract on `createRedisCache` with clients from `clients`. */
export function describeRedisCacheContract<C extends RedisClient>(name: string, clients: RedisTestClients<C>): void {
  describeCache(name, async () => {
    const client = await clients.connect();
    const cache = createRedisCache({ client, prefix: clients.freshPrefix() });
    return {
      cache,
      // Redis expires keys by its own clock: the time really passes.
      elapse: sleep,
      dispose: async () => {
        await cache.close();
        await clients.quit(client);
      },
    };
  });
}

/** Runs the EventBus contract on two `createRedisEventBus` instances with clients from `clients`. */
export function describeRedisEventBusContract<C extends RedisClient>(name: string, clients: RedisTestClients<C>): void {
  describeEventBus(name, async () => {
    const prefix = clients.freshPrefix();
    const all = await Promise.all([clients.connect(), clients.connect(), clients.connect(), clients.connect()]);
    const [pubA, subA, pubB, subB] = all as [C, C, C, C];
    const errors: unknown[] = [];
    const bus = createRedisEventBus({ publisher: pubA, subscriber: subA, prefix });
    const other = createRedisEventBus({ publisher: pubB, subscriber: subB, prefix, onError: (e) => errors.push(e) });
    await until(
      async () => (await clients.subscribers(pubA, `${prefix}events`)) === 2,
      `2 subscribers of ${prefix}events`,
    );
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
