// The Redis lookup cache on one private Redis: the LookupCache contract, and what Redis adds: one round trip for a
// batch, totals shared by instances, counts sent in the background.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { until } from '../../scripts/testing/wait.ts';
import { redisClients } from '../testing/redis-clients.ts';
import { startRedisServer } from '../testing/redis-server.ts';
import { pictureMeta } from './cache.contract.ts';
import { createRedisCache } from './redis-cache.ts';
import { describeRedisCacheContract } from './redis.contract.ts';

const server = await startRedisServer();
after(() => server.stop());
const redis = redisClients(server);
const { connect, quit, freshPrefix } = redis;

/** Calls per command since the last CONFIG RESETSTAT, without the INFO and CONFIG calls that measure them. */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== 'info' && !name!.startsWith('config')) calls[name!] = Number(n);
  }
  return calls;
}

describeRedisCacheContract('redis', redis);

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

  test('an unchanged entry is one frozen value; a change by another instance is seen at once', async () => {
    const prefix = freshPrefix();
    const [clientA, clientB] = [await connect(), await connect()];
    const a = createRedisCache({ client: clientA, prefix, parsedEntries: 2 });
    const b = createRedisCache({ client: clientB, prefix });
    try {
      await b.set('ada', pictureMeta('ada', 'v1'), 60_000);
      const [first] = await a.getMany(['ada']);
      const [again] = await a.getMany(['ada']);
      assert.equal(again, first, 'the same object, not parsed again');
      assert.ok(Object.isFrozen(first) && Object.isFrozen(first!.variants));
      await b.set('ada', pictureMeta('ada', 'v2'), 60_000);
      assert.deepEqual(await a.getMany(['ada']), [pictureMeta('ada', 'v2')]);
      await b.set('ada', null, 60_000);
      assert.deepEqual(await a.getMany(['ada']), [null]);
      await b.delete('ada');
      assert.deepEqual(await a.getMany(['ada']), [undefined]);
      // Past `parsedEntries`, the least recently looked up are parsed again, and answered all the same.
      for (const id of ['bob', 'cy', 'dan']) await b.set(id, pictureMeta(id), 60_000);
      const [bob] = await a.getMany(['bob']);
      await a.getMany(['cy', 'dan']);
      const [bobAgain] = await a.getMany(['bob']);
      assert.notEqual(bobAgain, bob);
      assert.deepEqual(bobAgain, pictureMeta('bob'));
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
      await until(async () => (await admin.get(`${prefix}stats:misses`)) === '20', 'the counts in Redis');
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
