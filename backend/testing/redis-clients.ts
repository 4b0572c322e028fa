// Clients on a private redis-server made as the runtime entries make them, for the tests of the Redis cache, event
// bus and client options.
import { Redis } from 'ioredis';
import { until } from '../../scripts/testing/wait.ts';
import { redisClientOptions } from '../cache/redis-client.ts';
import type { RedisTestClients } from '../cache/redis.contract.ts';
import type { RedisServer } from './redis-server.ts';

export interface RedisClients extends RedisTestClients<Redis> {
  /**
   * A client with `redisClientOptions()`, once ready, on the server or the one at `url`; its connection errors are
   * ignored.
   */
  connect(url?: string): Promise<Redis>;
  /** Resolves once `n` connections are subscribed to `channel`. */
  untilSubscribers(client: Redis, channel: string, n: number): Promise<void>;
}

/**
 * Helpers for clients on `server`. Each `freshPrefix()` is new, so tests sharing the server keep their own keys.
 *
 * @example
 * const server = await startRedisServer();
 * after(() => server.stop());
 * const redis = redisClients(server);
 * const client = await redis.connect();
 */
export function redisClients(server: RedisServer): RedisClients {
  let prefixes = 0;
  const subscribers = async (client: Redis, channel: string): Promise<number> => {
    const [, count] = (await client.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  };
  return {
    async connect(url = server.url) {
      const client = new Redis(url, redisClientOptions());
      client.on('error', () => {});
      await until(() => client.status === 'ready', 'the client to be ready');
      return client;
    },
    async quit(...clients) {
      // QUIT fails fast on a client whose server is away (no offline queue); disconnect then.
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
    subscribers,
    async untilSubscribers(client, channel, n) {
      await until(async () => (await subscribers(client, channel)) === n, `${n} subscribers of ${channel}`);
    },
    freshPrefix: () => `t${++prefixes}:`,
  };
}
