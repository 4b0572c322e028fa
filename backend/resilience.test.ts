// What must hold when a part goes away: the service on Node with a private Redis and S3 server, both stopped and
// started again under it, and two instances sharing them.
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { CacheStats, Health, PictureBatch, PictureMeta } from '../contract/picture.ts';
import { collectEvents, until } from './testing/contract-suite.ts';
import { solidPng } from './testing/images.ts';
import { startService, type RunningService } from './testing/service.ts';
import { startBackingServers } from './testing/stack.ts';
import { TEST_ADMIN_TOKEN } from './testing/tokens.ts';

const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Every file under `dir` with its size: what the S3 server holds. */
async function listFiles(dir: string): Promise<Record<string, number>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(files.map(async (path) => [path, (await stat(path)).size] as const)));
}

describe('Redis and S3 going away', () => {
  let backing: Awaited<ReturnType<typeof startBackingServers>>;
  let a: RunningService;
  let b: RunningService;
  let redis: Redis;
  const upload = async (service: RunningService, userId: string, rgb: [number, number, number]) => {
    const res = await fetch(`${service.base}/api/pictures/${userId}`, { method: 'PUT', body: solidPng(rgb), headers: admin });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as PictureMeta;
  };

  before(async () => {
    backing = await startBackingServers();
    [a, b] = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
    redis = new Redis(backing.redis.url, { lazyConnect: true });
    redis.on('error', () => {}); // this test stops the server under it on purpose
    await redis.connect();
  });
  after(async () => {
    redis?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await backing?.stop();
  });

  test('FLUSHALL between two requests loses no picture, and the URL stays the same', async () => {
    const ada = await upload(a, 'ada', [10, 20, 30]);
    const first = await fetch(`${a.base}/api/pictures/ada`);
    assert.equal(first.headers.get('X-Cache'), 'HIT');
    await redis.flushall();
    const second = await fetch(`${a.base}/api/pictures/ada`);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('X-Cache'), 'MISS');
    assert.deepEqual(await second.json(), ada, 'the same presigned URL, so browsers keep their cached copy');
    await redis.flushall();
    const { pictures } = (await (await fetch(`${b.base}/api/pictures?users=ada,nobody`)).json()) as PictureBatch;
    assert.deepEqual(pictures, { ada, nobody: null });
  });

  test('two instances share hit counts and picture-changed events through Redis', async () => {
    await new Promise((r) => setTimeout(r, 1_500)); // the earlier tests' counts have landed
    const before = (await (await fetch(`${b.base}/api/cache/stats`)).json()) as CacheStats;
    for (let i = 0; i < 3; i++) await fetch(`${a.base}/api/pictures/ada`);
    // Each instance adds its counts to Redis about once a second, so a lookup costs no extra round trip.
    const after = await until('instance b to see the hits counted on instance a', async () => {
      const stats = (await (await fetch(`${b.base}/api/cache/stats`)).json()) as CacheStats;
      return stats.hits >= before.hits + 3 ? stats : undefined;
    }, 3_000);
    assert.equal(after.backend, 'redis');
    assert.equal(after.hits, before.hits + 3);
    await new Promise((r) => setTimeout(r, 1_500)); // every count has landed: both instances report the same totals
    const [statsA, statsB] = await Promise.all([a, b].map(async (s) => (await fetch(`${s.base}/api/cache/stats`)).json()));
    assert.deepEqual(statsA, statsB);

    // An upload through a: b's very next lookup answers it (no wait), and b's event stream announces it within a second.
    let uploaded: PictureMeta | undefined;
    const events = await collectEvents(b.base, async () => {
      uploaded = await upload(a, 'grace', [1, 2, 3]);
      const onB = await fetch(`${b.base}/api/pictures/grace`);
      assert.equal(onB.headers.get('X-Cache'), 'HIT', 'the upload wrote the shared cache');
      assert.deepEqual(await onB.json(), uploaded);
    }, 1, 1_000);
    assert.deepEqual(events, [{ event: 'picture-changed', data: { userId: 'grace', version: uploaded?.version } }]);
  });

  test('with Redis stopped, lookups answer from storage (BYPASS, no 5xx), and the cache comes back by itself', async () => {
    const ada = (await (await fetch(`${a.base}/api/pictures/ada`)).json()) as PictureMeta;
    await backing.redis.stop();
    for (let i = 0; i < 20; i++) {
      const single = await fetch(`${a.base}/api/pictures/ada`);
      assert.equal(single.status, 200);
      assert.equal(single.headers.get('X-Cache'), 'BYPASS');
      assert.equal(((await single.json()) as PictureMeta).version, ada.version);
      const missing = await fetch(`${a.base}/api/pictures/nobody`);
      assert.equal(missing.status, 404);
      const batch = await fetch(`${a.base}/api/pictures?users=ada,grace,nobody`);
      assert.equal(batch.status, 200);
    }
    const health = await fetch(`${a.base}/healthz`);
    assert.equal(health.status, 200, 'the service is up: only the cache is away');
    const body = (await health.json()) as Health;
    assert.equal(body.cache.ok, false);
    assert.equal(body.storage.ok, true);
    const events = await collectEvents(a.base, () => upload(a, 'linus', [7, 7, 7]), 1);
    assert.equal((events[0]?.data as { userId: string } | undefined)?.userId, 'linus', 'this instance\'s listeners hear it without Redis');
    const linus = (await (await fetch(`${a.base}/api/pictures/linus`)).json()) as PictureMeta;
    assert.equal(((await (await fetch(`${b.base}/api/pictures/linus`)).json()) as PictureMeta).version, linus.version);

    await backing.redis.start();
    await until('the cache to answer again', async () => {
      const res = await fetch(`${a.base}/api/pictures/ada`);
      return res.headers.get('X-Cache') !== 'BYPASS' ? true : undefined;
    });
    assert.equal((await fetch(`${a.base}/api/pictures/ada`)).headers.get('X-Cache'), 'HIT');
    assert.equal(((await (await fetch(`${a.base}/healthz`)).json()) as Health).cache.ok, true);
  });

  test('with S3 stopped, cached lookups answer, the rest get 503 with Retry-After, and /healthz is 503', async () => {
    const ada = (await (await fetch(`${a.base}/api/pictures/ada`)).json()) as PictureMeta;
    await backing.s3.pause();
    try {
      const cached = await fetch(`${a.base}/api/pictures/ada`);
      assert.equal(cached.status, 200);
      assert.equal(((await cached.json()) as PictureMeta).version, ada.version);
      const uncached = await fetch(`${a.base}/api/pictures/someone-new`);
      assert.equal(uncached.status, 503);
      assert.equal(uncached.headers.get('Retry-After'), '5');
      assert.equal(((await uncached.json()) as { error: { code: string } }).error.code, 'storage_unavailable');
      const stored = await listFiles(backing.s3.directory);
      const put = await fetch(`${a.base}/api/pictures/ada`, { method: 'PUT', body: solidPng([8, 8, 8]), headers: admin });
      assert.equal(put.status, 503);
      assert.equal(put.headers.get('Retry-After'), '5');
      assert.deepEqual(await listFiles(backing.s3.directory), stored, 'nothing half-written');
      const health = await fetch(`${a.base}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as Health;
      assert.equal(body.ok, false);
      assert.equal(body.storage.ok, false);
      assert.ok(body.storage.error);
    } finally {
      await backing.s3.restart();
    }
    assert.equal((await fetch(`${a.base}/api/pictures/ada`)).status, 200);
    assert.equal((await fetch(`${a.base}/healthz`)).status, 200);
    const now = (await (await fetch(`${a.base}/api/pictures/ada`)).json()) as PictureMeta;
    assert.equal(now.version, ada.version, 'the refused upload changed nothing');
  });
});

describe('Redis and S3 down when the service starts', () => {
  test('the service starts anyway, says what is unwell, and uses each part once it answers', async () => {
    const backing = await startBackingServers();
    await backing.redis.stop();
    await backing.s3.pause();
    const service = await startService('node', backing.env);
    try {
      const health = await fetch(`${service.base}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as Health;
      assert.equal(body.cache.ok, false);
      assert.equal(body.storage.ok, false);
      assert.match(service.output(), /not answering yet/);
      await Promise.all([backing.redis.start(), backing.s3.restart()]);
      const up = await until('both parts to be well', async () => {
        const res = await fetch(`${service.base}/healthz`);
        return res.status === 200 && ((await res.json()) as Health).ok ? true : undefined;
      });
      assert.ok(up);
      const put = await fetch(`${service.base}/api/pictures/ada`, { method: 'PUT', body: solidPng([5, 6, 7]), headers: admin });
      assert.equal(put.status, 201, 'uploads work once the object store answers');
      assert.equal((await fetch(`${service.base}/api/pictures/ada`)).headers.get('X-Cache'), 'HIT');
    } finally {
      await service.stop();
      await backing.stop();
    }
  });
});
