import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisServer } from '../testing/redis-server.ts';
import type { PictureChangedEvent } from '../../contract/picture.ts';
import { pictureMeta, sleep, waitFor } from './cache.contract.ts';
import { describeRedisContracts } from './redis.contract.ts';
import { createRedisCache, createRedisEventBus, redisClientOptions } from './redis.ts';

const server = await startRedisServer();
after(() => server.stop());

/** A client as the entries make it, once ready; connection errors are expected in these tests. */
async function connect(url = server.url): Promise<Redis> {
  const client = new Redis(url, redisClientOptions());
  client.on('error', () => {});
  await waitFor('the client to be ready', () => client.status === 'ready');
  return client;
}

async function quit(...clients: Redis[]): Promise<void> {
  // QUIT fails fast on a client whose server is away (no offline queue); disconnect then.
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}

/** Calls per command since the last CONFIG RESETSTAT, without the INFO and CONFIG calls that measure them. */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info' && !name!.startsWith('config')) calls[name!] = Number(n);
  }
  return calls;
}

let prefixes = 0;
/** Each test its own keys and totals on the shared server. */
const freshPrefix = (): string => `t${++prefixes}:`;

async function subscribers(client: Redis, channel: string): Promise<number> {
  const [, count] = (await client.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

describeRedisContracts('redis', { connect: () => connect(), quit, subscribers, freshPrefix });

async function waitForSubscribers(client: Redis, channel: string, n: number): Promise<void> {
  await waitFor(`${n} subscribers of ${channel}`, async () => (await subscribers(client, channel)) === n);
}

describe('redis cache: shared by instances, one round trip', () => {
  test('getMany of 100 users is one MGET', async () => {
    const client = await connect();
    const admin = await connect();
    const cache = createRedisCache({ client, prefix: freshPrefix() });
    try {
      const userIds = Array.from({ length: 100 }, (_, i) => `user${i}`);
      for (const id of userIds.slice(0, 50)) await cache.set(id, num(id) % 2 ? null : pictureMeta(id), 60_000);
      await admin.config('RESETSTAT');
      const values = await cache.getMany(userIds);
      assert.deepEqual(await commandCalls(admin), { mget: 1 });
      assert.deepEqual(
        values,
        userIds.map((id, n) => (n >= 50 ? undefined : num(id) % 2 ? null : pictureMeta(id))),
      );
    } finally {
      await cache.close();
      await quit(client, admin);
    }
    function num(id: string): number {
      return Number(id.slice(4));
    }
  });

  test('two instances on one Redis see the same totals and the same entries', async () => {
    const prefix = freshPrefix();
    const [clientA, clientB] = [await connect(), await connect()];
    const a = createRedisCache({ client: clientA, prefix });
    const b = createRedisCache({ client: clientB, prefix });
    try {
      a.count(2, 1);
      b.count(3, 5);
      await a.set('ada', pictureMeta('ada'), 60_000);
      await a.stats(); // sends a's counts; b's are still in b
      const fromB = await b.stats();
      const fromA = await a.stats();
      assert.deepEqual(fromB, { hits: 5, misses: 6, keys: 1 });
      assert.deepEqual(fromA, fromB);
      assert.deepEqual(await b.getMany(['ada']), [pictureMeta('ada')]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await quit(clientA, clientB);
    }
  });

  test('counting costs no round trip: counts reach Redis on their own, batched', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const admin = await connect();
    const cache = createRedisCache({ client, prefix, flushIntervalMs: 100 });
    try {
      await admin.config('RESETSTAT');
      for (let n = 0; n < 10; n++) cache.count(1, 2);
      assert.deepEqual(await commandCalls(admin), {});
      await waitFor('the counts in Redis', async () => (await admin.get(`${prefix}stats:misses`)) === '20');
      assert.equal(await admin.get(`${prefix}stats:hits`), '10');
      assert.equal((await commandCalls(admin)).incrby, 2, 'ten count() calls, one flush of two INCRBY');
    } finally {
      await cache.close();
      await quit(client, admin);
    }
  });

  test('close sends the counts still waiting', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const cache = createRedisCache({ client, prefix, flushIntervalMs: 60_000 });
    cache.count(4, 0);
    await cache.close();
    assert.equal(await client.get(`${prefix}stats:hits`), '4');
    await quit(client);
  });

  test('a corrupt value is a miss, and is dropped', async () => {
    const prefix = freshPrefix();
    const client = await connect();
    const cache = createRedisCache({ client, prefix });
    try {
      await client.set(`${prefix}url:broken`, '{"userId": "broken", "vers');
      await client.set(`${prefix}url:number`, '42');
      await client.set(`${prefix}url:someone`, JSON.stringify(pictureMeta('someone-else')));
      await cache.set('fine', pictureMeta('fine'), 60_000);
      assert.deepEqual(await cache.getMany(['broken', 'number', 'someone', 'fine']), [
        undefined,
        undefined,
        undefined,
        pictureMeta('fine'),
      ]);
      // The DELs went out on this client after the MGET, so a later command on it sees them done.
      assert.equal(await client.exists(`${prefix}url:broken`, `${prefix}url:number`, `${prefix}url:someone`), 0);
    } finally {
      await cache.close();
      await quit(client);
    }
  });

  test('keys counts only this prefix, even one with glob characters', async () => {
    const client = await connect();
    const globby = createRedisCache({ client, prefix: 'g*[1]:' });
    const plain = createRedisCache({ client, prefix: 'gX1:' });
    try {
      await globby.set('a', null, 60_000);
      await plain.set('a', null, 60_000);
      await plain.set('b', null, 60_000);
      assert.equal((await globby.stats()).keys, 1);
      assert.equal((await plain.stats()).keys, 2);
    } finally {
      await Promise.all([globby.close(), plain.close()]);
      await quit(client);
    }
  });

  test('a missing client is a clear error at construction', () => {
    assert.throws(() => createRedisCache({ client: undefined as unknown as Redis }), /ioredis client/);
  });
});

describe('redis event bus: across instances', () => {
  test('a message that is not an event is ignored; a delete event carries version null', async () => {
    const prefix = freshPrefix();
    const [publisher, subscriber, raw] = [await connect(), await connect(), await connect()];
    const bus = createRedisEventBus({ publisher, subscriber, prefix });
    try {
      const got: PictureChangedEvent[] = [];
      bus.subscribe((event) => got.push(event));
      await waitForSubscribers(raw, `${prefix}events`, 1);
      for (const junk of ['not json', '42', 'null', '{"userId": 7, "version": "v1"}', '{"userId": "ada"}']) {
        await raw.publish(`${prefix}events`, junk);
      }
      await bus.publish({ userId: 'ada', version: null });
      await waitFor('the event', () => got.length === 1);
      assert.deepEqual(got, [{ userId: 'ada', version: null }]);
    } finally {
      await bus.close();
      await quit(publisher, subscriber, raw);
    }
  });

  test('subscribes once its client is ready, even when created before', async () => {
    const prefix = freshPrefix();
    const publisher = await connect();
    const subscriber = new Redis(server.url, redisClientOptions());
    subscriber.on('error', () => {});
    const bus = createRedisEventBus({ publisher, subscriber, prefix }); // subscriber still connecting
    try {
      const got: string[] = [];
      bus.subscribe((event) => got.push(event.userId));
      await waitForSubscribers(publisher, `${prefix}events`, 1);
      await bus.publish({ userId: 'ada', version: 'v1' });
      await waitFor('the event', () => got.length === 1);
    } finally {
      await bus.close();
      await quit(publisher, subscriber);
    }
  });

  test('close unsubscribes but leaves the clients open', async () => {
    const prefix = freshPrefix();
    const [publisher, subscriber] = [await connect(), await connect()];
    const bus = createRedisEventBus({ publisher, subscriber, prefix });
    await waitForSubscribers(publisher, `${prefix}events`, 1);
    await bus.close();
    await waitForSubscribers(publisher, `${prefix}events`, 0);
    assert.equal(publisher.status, 'ready');
    assert.equal(subscriber.status, 'ready');
    await quit(publisher, subscriber);
  });
});

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
      await waitForSubscribers(publisher, `${prefix}events`, 1);

      await own.stop();
      // Within a moment the client sees the socket close; from then on nothing may wait.
      await waitFor('the client to notice', () => client.status !== 'ready' && publisher.status !== 'ready', 1_000);
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
      await sleep(350); // a few flushes fail meanwhile; their counts must be kept

      await own.start();
      await waitFor('the clients to reconnect by themselves', () => clients.every((c) => c.status === 'ready'));
      const admin = await connect(own.url);
      clients.push(admin);
      // The server came back empty: the totals are exactly what waited in this process.
      await waitFor('the kept counts to be sent', async () => (await admin.get(`${prefix}stats:misses`)) === '4');
      assert.equal(await admin.get(`${prefix}stats:hits`), '3');

      await cache.ping();
      await cache.set('ada', pictureMeta('ada', 'v3'), 60_000);
      assert.deepEqual(await cache.getMany(['ada']), [pictureMeta('ada', 'v3')]);

      // The subscription comes back by itself too.
      const got: PictureChangedEvent[] = [];
      bus.subscribe((event) => got.push(event));
      await waitForSubscribers(admin, `${prefix}events`, 1);
      await bus.publish({ userId: 'ada', version: 'v3' });
      await waitFor('the event after the restart', () => got.length === 1);
      await sleep(50);
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
      await waitFor('the pause to end', () => cache.getMany(['ada']).then(() => true, () => false));
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
      await waitFor('the client to connect by itself', () => client.status === 'ready');
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

describe('startRedisServer', () => {
  test('names the fix when redis-server is not installed', async () => {
    await assert.rejects(startRedisServer({ command: 'redis-server-that-is-not-installed' }), /apt-get install -y redis-server/);
  });
});
