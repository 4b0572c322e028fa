// Many instances: two services on one Redis and one S3 server, behind a round-robin balancer, so every other
// request of the whole HTTP contract lands on the other instance; and a version's URLs, the same on every instance,
// through a flush and a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PictureMeta } from '../../contract/picture.ts';
import { describeContract, fetchCopies, urlsOf } from '../testing/contract-suite.ts';
import { solidPng } from '../testing/images.ts';
import { startRoundRobin } from '../testing/round-robin.ts';
import { startService } from '../testing/service.ts';
import { upload } from '../testing/upload.ts';
import { pauseS3, redisControls, startBackingServers, TEST_MAX_UPLOAD_BYTES } from '../testing/stack.ts';

describeContract('two Node instances behind a round-robin balancer, on one Redis and one S3', async () => {
  const backing = await startBackingServers();
  const instances = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
  const balancer = await startRoundRobin(instances.map((i) => i.base));
  return {
    base: balancer.base,
    maxUploadBytes: TEST_MAX_UPLOAD_BYTES,
    storage: 'minio',
    cache: 'redis',
    countsSettleMs: 1_500,
    breakStorage: () => pauseS3(backing.s3),
    redis: redisControls(backing, 'node'),
    async stop() {
      const [a, b] = balancer.sent();
      assert.ok(a! > 20 && b! > 20, `both instances answered (${a} and ${b} requests)`);
      await balancer.stop();
      await Promise.all(instances.map((i) => i.stop()));
      await backing.stop();
    },
  };
});

test('on Redis + S3 a version keeps its URLs on another instance, through a flush and a restart of every instance', async () => {
  const backing = await startBackingServers();
  let instances = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
  try {
    const uploaded = await upload(instances[0]!.base, 'steady', solidPng([4, 5, 6]));
    const named = async (base: string) => {
      const res = await fetch(`${base}/api/pictures/steady`);
      assert.equal(res.status, 200);
      return urlsOf((await res.json()) as PictureMeta);
    };
    const expected = urlsOf(uploaded);
    const copies = await fetchCopies(instances[0]!.base, uploaded);
    assert.deepEqual(await named(instances[1]!.base), expected, 'on the other instance');
    await backing.redis.flushAll();
    assert.deepEqual(await named(instances[1]!.base), expected, 'after a flush, read from the storage');
    await Promise.all(instances.map((i) => i.stop()));
    await backing.redis.flushAll();
    instances = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
    for (const { base } of instances) {
      assert.deepEqual(await named(base), expected, 'after a restart and a flush');
      assert.deepEqual(await fetchCopies(base, uploaded), copies, 'the same bytes at the same URLs');
    }
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await backing.stop();
  }
});
