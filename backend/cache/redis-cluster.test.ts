// The Redis cache and event bus on a three-node Redis Cluster started for this file: the same contracts as on one
// Redis (redis-cache.test.ts, redis-events.test.ts), and what a cluster adds: keys spread over every master, a master
// that goes away.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Cluster } from 'ioredis';
import { until } from '../../scripts/testing/wait.ts';
import { startRedisCluster } from '../testing/redis-cluster.ts';
import { pictureMeta } from './cache.contract.ts';
import { createRedisCache } from './redis-cache.ts';
import { redisClusterOptions } from './redis-client.ts';
import { describeRedisCacheContract, describeRedisEventBusContract, type RedisTestClients } from './redis.contract.ts';

const cluster = await startRedisCluster();
after(() => cluster.stop());

/** A client as the entries make it, once ready; connection errors are expected in these tests. */
async function connect(): Promise<Cluster> {
  const client = new Cluster(cluster.startupNodes, redisClusterOptions());
  client.on('error', () => {});
  await until(() => client.status === 'ready', 'the cluster client to be ready');
  return client;
}

let prefixes = 0;
const freshPrefix = (): string => `c${++prefixes}:`;

const clusterClients: RedisTestClients<Cluster> = {
  connect,
  quit: async (...clients) => {
    for (const client of clients) client.disconnect();
  },
  // Each node counts the subscribers connected to it.
  subscribers: async (client, channel) => {
    const counts = await Promise.all(
      client.nodes('master').map((node) => node.pubsub('NUMSUB', channel) as Promise<[string, number]>),
    );
    return counts.reduce((sum, [, count]) => sum + Number(count), 0);
  },
  freshPrefix,
};
describeRedisCacheContract('redis cluster', clusterClients);
describeRedisEventBusContract('redis cluster', clusterClients);

describe('redis cache on a cluster: keys on every master', () => {
  test('a batch of 100 users spread over all three masters is answered whole, in order', async () => {
    const client = await connect();
    const cache = createRedisCache({ client, prefix: freshPrefix() });
    try {
      const userIds = Array.from({ length: 100 }, (_, i) => `user${i}`);
      for (const [i, id] of userIds.entries()) if (i % 3) await cache.set(id, i % 2 ? null : pictureMeta(id), 60_000);
      const perNode = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
      assert.equal(perNode.length, 3);
      assert.ok(
        perNode.every((keys) => keys > 5),
        `keys per master: ${perNode.join(', ')}`,
      );
      const values = await cache.getMany(userIds);
      assert.deepEqual(
        values,
        userIds.map((id, i) => (i % 3 ? (i % 2 ? null : pictureMeta(id)) : undefined)),
      );
      cache.count(2, 3);
      assert.deepEqual(await cache.stats(), { hits: 2, misses: 3, keys: 66 });
    } finally {
      await cache.close();
      client.disconnect();
    }
  });

  test('a master killed: lookups fail at once (the caller goes to storage); restarted, the same client works again', async () => {
    const client = await connect();
    const cache = createRedisCache({ client, prefix: freshPrefix() });
    const userIds = Array.from({ length: 30 }, (_, i) => `user${i}`);
    const node = cluster.nodes[1]!;
    try {
      for (const id of userIds) await cache.set(id, null, 60_000);
      await node.kill();
      await until(
        () =>
          cache.getMany(userIds).then(
            () => false,
            () => true,
          ),
        'the client to notice',
        2_000,
      );
      const started = performance.now();
      await assert.rejects(cache.getMany(userIds));
      const ms = performance.now() - started;
      assert.ok(
        ms < 1_000,
        `getMany took ${ms.toFixed(0)} ms to fail; it must not wait out ioredis's retries (over a second)`,
      );
      await assert.rejects(cache.ping(), 'a master is away: the cache is not well');
      await node.start();
      await until(
        () =>
          cache.getMany(userIds).then(
            () => true,
            () => false,
          ),
        'the lookups to answer again',
        10_000,
      );
      // The restarted master came back empty: its users are misses, the others still cached.
      const values = await cache.getMany(userIds);
      assert.ok(values.some((v) => v === undefined) && values.some((v) => v === null));
      await cache.ping();
    } finally {
      await cache.close();
      client.disconnect();
    }
  });
});
