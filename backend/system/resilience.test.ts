// What must hold beyond the contract suite's own outage tests (testing/contract-suite.ts): two instances sharing
// one Redis's counts, events on one instance without Redis, an upload refused by a stopped object store writing
// nothing, and both parts down at start.
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CacheStats, Health, PictureMeta } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { collectEvents } from '../testing/event-stream.ts';
import { solidPng } from '../testing/images.ts';
import { startService, type RunningService } from '../testing/service.ts';
import { startBackingServers } from '../testing/stack.ts';
import { admin } from '../testing/tokens.ts';

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
  const upload = async (service: RunningService, userId: string, rgb: [number, number, number]) => {
    const res = await fetch(`${service.base}/api/pictures/${userId}`, {
      method: 'PUT',
      body: solidPng(rgb),
      headers: admin,
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as PictureMeta;
  };

  before(async () => {
    backing = await startBackingServers();
    [a, b] = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await backing?.stop();
  });

  test('two instances share hit counts through Redis', async () => {
    await upload(a, 'ada', [10, 20, 30]); // uploads count no hit or miss
    const before = (await (await fetch(`${b.base}/api/cache/stats`)).json()) as CacheStats;
    for (let i = 0; i < 3; i++) await fetch(`${a.base}/api/pictures/ada`);
    // Each instance adds its counts to Redis about once a second, so a lookup costs no extra round trip.
    const after = await until(
      async () => {
        const stats = (await (await fetch(`${b.base}/api/cache/stats`)).json()) as CacheStats;
        return stats.hits >= before.hits + 3 ? stats : undefined;
      },
      'instance b to see the hits counted on instance a',
      3_000,
    );
    assert.equal(after.backend, 'redis');
    assert.equal(after.hits, before.hits + 3);
    // A clock rule: each instance sends its counts about once a second, so by now every count has landed.
    await sleep(1_500);
    const [statsA, statsB] = await Promise.all(
      [a, b].map(async (s) => (await fetch(`${s.base}/api/cache/stats`)).json()),
    );
    assert.deepEqual(statsA, statsB);
  });

  test("with Redis stopped, an instance's own listeners still hear its uploads", async () => {
    await backing.redis.stop();
    try {
      const events = await collectEvents(a.base, () => upload(a, 'linus', [7, 7, 7]), 1);
      assert.equal((events[0]?.data as { userId: string } | undefined)?.userId, 'linus');
    } finally {
      await backing.redis.start();
    }
  });

  test('an upload refused while S3 is stopped leaves nothing behind in the object store', async () => {
    const ada = (await (await fetch(`${a.base}/api/pictures/ada`)).json()) as PictureMeta;
    const stored = await listFiles(backing.s3.directory);
    await backing.s3.pause();
    try {
      const put = await fetch(`${a.base}/api/pictures/ada`, {
        method: 'PUT',
        body: solidPng([8, 8, 8]),
        headers: admin,
      });
      assert.equal(put.status, 503);
    } finally {
      await backing.s3.restart();
    }
    assert.deepEqual(await listFiles(backing.s3.directory), stored, 'nothing half-written');
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
      const up = await until(async () => {
        const res = await fetch(`${service.base}/healthz`);
        return res.status === 200 && ((await res.json()) as Health).ok;
      }, 'both parts to be well');
      assert.ok(up);
      const put = await fetch(`${service.base}/api/pictures/ada`, {
        method: 'PUT',
        body: solidPng([5, 6, 7]),
        headers: admin,
      });
      assert.equal(put.status, 201, 'uploads work once the object store answers');
      assert.equal((await fetch(`${service.base}/api/pictures/ada`)).headers.get('X-Cache'), 'HIT');
    } finally {
      await service.stop();
      await backing.stop();
    }
  });
});
