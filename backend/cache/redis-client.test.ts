// The ioredis options the entries create their clients with, and what the cache and the event bus on such clients do
// when Redis goes away: fail fast, keep counts, recover alone.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PictureChangedEvent } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { redisClients } from '../testing/redis-clients.ts';
import { startRedisServer } from '../testing/redis-server.ts';
import { pictureMeta } from './cache.contract.ts';
import { createRedisCache } from './redis-cache.ts';
import { redisClientOptions } from './redis-client.ts';
import { createRedisEventBus } from './redis-events.ts';

const server = await startRedisServer();
after(() => server.stop());
const { connect, quit, freshPrefix, untilSubscribers } = redisClients(server);

describe('redis away: fail fast, keep counts, recover alone', () => {
  test('commands reject at once while Redis is down; the same clients work again when it is back', async () => {
    const own = await startRedisServer();
    const prefix = freshPrefix();
    const clients = [await connect(own.url), await connect(own.url), await connect(own.url)];
    const [client, publisher, subscriber] = clients as [Redis, Redis, Redis];
    const cache = createRedisCache({ client, prefix, flushIntervalMs: 100 });
    const bus = createRedisEventBus({ publisher, subscriber, prefix });
    try {
      await cache.set('ada', pictureMeta('ada'), 60_000);
      await untilSubscribers(publisher, `${prefix}events`, 1);

      await own.stop();
      // Within a moment the client sees the socket close; from then on nothing may wait.
      await until(() => client.status !== 'ready' && publisher.status !== 'ready', 'the client to notice', 1_000);
      for (const [what, call] of [
        ['getMany', () => cache.getMany(['ada'])],
        ['set', () => cache.set('ada', null, 60_000)],
        ['ping', () => cache.ping()],
        ['stats', () => cache.stats()],
        ['publish', () => bus.publish({ userId: 'ada', version: 'v2' })],
      ] as const) {
        const started = performance.now();
        await assert.rejects(call(), `${what} should reject while Redis is down`);
        const ms = performance.now() - started;
        assert.ok(ms < 100, `${what} took ${ms.toFixed(0)} ms to fail; it must not wait for Redis`);
      }
      assert.doesNotThrow(() => cache.count(3, 4));
      await sleep(350); // a clock rule: a few flushes (every 100 ms) fail meanwhile; their counts must be kept

      await own.start();
      await until(() => clients.every((c) => c.status === 'ready'), 'the clients to reconnect by themselves');
      const admin = await connect(own.url);
      clients.push(admin);
      // The server came back empty: the totals are exactly what waited in this process.
      await until(async () => (await admin.get(`${prefix}stats:misses`)) === '4', 'the kept counts to be sent');
      assert.equal(await admin.get(`${prefix}stats:hits`), '3');

      await cache.ping();
      await cache.set('ada', pictureMeta('ada', 'v3'), 60_000);
      assert.deepEqual(await cache.getMany(['ada']), [pictureMeta('ada', 'v3')]);

      // The subscription comes back by itself too.
      const got: PictureChangedEvent[] = [];
      bus.subscribe((event) => got.push(event));
      await untilSubscribers(admin, `${prefix}events`, 1);
      await bus.publish({ userId: 'ada', version: 'v3' });
      await until(() => got.length === 1, 'the event after the restart');
      await sleep(50); // nothing to await: this proves that no second copy arrives
      assert.equal(got.length, 1, 'resubscribing must not deliver an event twice');
    } finally {
      await cache.close();
      await bus.close();
      await quit(...clients);
      await own.stop();
    }
  });

  test('a Redis that stops answering: commands time out well under a second, then work again', async () => {
    const prefix = freshPrefix();
    const [client, admin] = [await connect(), await connect()];
    const cache = createRedisCache({ client, prefix });
    try {
      await cache.set('ada', null, 60_000);
      // The server keeps the socket open and answers no one (UNPAUSE would wait too) for 800 ms.
      await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
      const started = performance.now();
      await assert.rejects(cache.getMany(['ada']), /timed out/);
      const ms = performance.now() - started;
      assert.ok(ms < 600, `getMany took ${ms.toFixed(0)} ms to fail`);
      await until(
        () =>
          cache.getMany(['ada']).then(
            () => true,
            () => false,
          ),
        'the pause to end',
      );
      assert.deepEqual(await cache.getMany(['ada']), [null]);
    } finally {
      await cache.close();
      await quit(client, admin);
    }
  });

  test('a client created while Redis is down fails fast, then connects when it comes up', async () => {
    const own = await startRedisServer();
    await own.stop();
    const client = new Redis(own.url, redisClientOptions());
    client.on('error', () => {});
    const cache = createRedisCache({ client, prefix: freshPrefix() });
    try {
      const started = performance.now();
      await assert.rejects(cache.getMany(['ada']));
      assert.ok(performance.now() - started < 400);
      await own.start();
      await until(() => client.status === 'ready', 'the client to connect by itself');
      assert.deepEqual(await cache.getMany(['ada']), [undefined]);
    } finally {
      await cache.close();
      await quit(client);
      await own.stop();
    }
  });
});

describe('redisClientOptions', () => {
  test('fail fast and reconnect forever with a capped backoff', () => {
    const options = redisClientOptions();
    assert.equal(options.enableOfflineQueue, false);
    assert.ok(typeof options.maxRetriesPerRequest === 'number' && options.maxRetriesPerRequest <= 2);
    assert.ok(typeof options.commandTimeout === 'number' && options.commandTimeout < 1_000);
    assert.ok(typeof options.connectTimeout === 'number');
    const delays = [1, 2, 3, 10, 100, 10_000].map((times) => options.retryStrategy!(times));
    for (const delay of delays) assert.ok(typeof delay === 'number' && delay > 0 && delay <= 1_100, `delay ${delay}`);
    assert.ok((delays[0] as number) < (delays[3] as number));
  });

  test('overrides win', () => {
    assert.equal(redisClientOptions({ connectionName: 'pictures', commandTimeout: 50 }).commandTimeout, 50);
  });
});
