// The Redis lookup cache with tracking (CLIENT TRACKING on a private redis-server): the LookupCache contract holds,
// an entry read once costs no round trip, and every way an entry can change elsewhere is seen.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { redisClients } from '../testing/redis-clients.ts';
import { startRedisServer } from '../testing/redis-server.ts';
import type { LookupCache } from './cache.ts';
import { describeCache, pictureMeta } from './cache.contract.ts';
import { createRedisCache } from './redis-cache.ts';

const server = await startRedisServer();
after(() => server.stop());
const { connect, quit, freshPrefix } = redisClients(server);

/** A tracked cache as the service wires it on a single Redis. */
async function tracked(prefix: string): Promise<{ cache: LookupCache; client: Redis }> {
  const client = await connect();
  return { cache: createRedisCache({ client, prefix, track: true }), client };
}

/** How many MGETs Redis has run since the server started. */
async function mgets(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/^cmdstat_mget:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

/** Resolves once `id` is answered from memory: two lookups in a row send no MGET. */
async function untilFromMemory(cache: LookupCache, admin: Redis, id: string): Promise<void> {
  await until(async () => {
    await cache.getMany([id]);
    const before = await mgets(admin);
    await cache.getMany([id]);
    return (await mgets(admin)) === before;
  }, `${id} to be answered from memory`);
}

describeCache('redis, tracked', async () => {
  const fx = await tracked(freshPrefix());
  return {
    cache: fx.cache,
    // Redis expires keys by its own clock: the time really passes.
    elapse: sleep,
    dispose: async () => {
      await fx.cache.close();
      await quit(fx.client);
    },
  };
});

/** A tracked cache, an untracked one on the same prefix (another instance), and an admin connection, then closed. */
async function withCaches(
  run: (fx: { cache: LookupCache; other: LookupCache; admin: Redis; prefix: string }) => Promise<void>,
): Promise<void> {
  const prefix = freshPrefix();
  const a = await tracked(prefix);
  const otherClient = await connect();
  const other = createRedisCache({ client: otherClient, prefix });
  const admin = await connect();
  try {
    await run({ cache: a.cache, other, admin, prefix });
  } finally {
    await Promise.all([a.cache.close(), other.close()]);
    await quit(a.client, otherClient, admin);
  }
}

describe('redis cache, tracked: answered from memory until Redis reports a change', () => {
  test('an entry read once costs no round trip; a change by another instance is seen', () =>
    withCaches(async ({ cache, other, admin }) => {
      await other.set('ada', pictureMeta('ada', 'v1'), 60_000);
      await untilFromMemory(cache, admin, 'ada');
      const before = await mgets(admin);
      for (let n = 0; n < 20; n++) assert.deepEqual(await cache.getMany(['ada']), [pictureMeta('ada', 'v1')]);
      assert.equal(await mgets(admin), before, '20 lookups, no MGET');

      await other.set('ada', pictureMeta('ada', 'v2'), 60_000);
      await until(async () => (await cache.getMany(['ada']))[0]?.version === 'v2', 'the new version');
      await other.delete('ada');
      await until(async () => (await cache.getMany(['ada']))[0] === undefined, 'the deletion');
    }));

  test('its own write is answered at once, and a write from outside the service is seen', () =>
    withCaches(async ({ cache, admin, prefix }) => {
      await cache.set('bob', pictureMeta('bob', 'v1'), 60_000);
      await untilFromMemory(cache, admin, 'bob');
      await cache.set('bob', pictureMeta('bob', 'v2'), 60_000);
      assert.deepEqual(await cache.getMany(['bob']), [pictureMeta('bob', 'v2')]);
      await admin.set(`${prefix}url:bob`, JSON.stringify(pictureMeta('bob', 'v3')));
      await until(async () => (await cache.getMany(['bob']))[0]?.version === 'v3', 'the version set by hand');
    }));

  test('an entry stops at its expiry, and a flushed database is seen', () =>
    withCaches(async ({ cache, admin }) => {
      await cache.set('cy', pictureMeta('cy'), 400);
      await cache.set('dan', pictureMeta('dan'), 60_000);
      await untilFromMemory(cache, admin, 'cy');
      await sleep(450);
      // Whether or not Redis has got round to deleting the key yet, it has expired: a miss.
      assert.deepEqual(await cache.getMany(['cy']), [undefined]);
      await untilFromMemory(cache, admin, 'dan');
      await admin.flushdb();
      await until(async () => (await cache.getMany(['dan']))[0] === undefined, 'the flush');
    }));

  test('when the invalidations connection drops, nothing is answered from memory until tracking is made again', () =>
    withCaches(async ({ cache, other, admin }) => {
      await other.set('eve', pictureMeta('eve', 'v1'), 60_000);
      await untilFromMemory(cache, admin, 'eve');
      // Its invalidations connection is the only one subscribed on this server now.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      // The report of this change goes nowhere: the connection it was meant for is gone. Only the loss of the
      // connection can make the cache ask Redis again.
      await other.set('eve', pictureMeta('eve', 'v2'), 60_000);
      await until(async () => (await cache.getMany(['eve']))[0]?.version === 'v2', 'the change, read from Redis');
      // It reconnects by itself, tracking is made again, and lookups are answered from memory again.
      await untilFromMemory(cache, admin, 'eve');
      await other.set('eve', pictureMeta('eve', 'v3'), 60_000);
      await until(async () => (await cache.getMany(['eve']))[0]?.version === 'v3', 'a change after reconnecting');
    }));

  test('a Redis that refuses CLIENT TRACKING is asked every time, and answers right', async () => {
    const prefix = freshPrefix();
    const admin = await connect();
    await admin.acl('SETUSER', 'notrack', 'on', '>pw', '~*', '&*', '+@all', '-client');
    const url = server.url.replace('redis://', 'redis://notrack:pw@');
    const client = await connect(url);
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    const cache = createRedisCache({ client, prefix, track: true });
    try {
      await cache.set('fay', pictureMeta('fay'), 60_000);
      await until(() => warnings.length > 0, 'the warning');
      const before = await mgets(admin);
      for (let n = 0; n < 3; n++) assert.deepEqual(await cache.getMany(['fay']), [pictureMeta('fay')]);
      assert.equal((await mgets(admin)) - before, 3);
      assert.equal(warnings.length, 1, 'said once');
    } finally {
      console.warn = warn;
      await cache.close();
      await quit(client, admin);
    }
  });
});
