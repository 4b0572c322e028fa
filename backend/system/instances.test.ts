// Many instances: two services on one Redis and one S3 server, behind a round-robin balancer, so every other
// request of the whole HTTP contract lands on the other instance.
import assert from 'node:assert/strict';
import { describeContract } from '../testing/contract-suite.ts';
import { startRoundRobin } from '../testing/round-robin.ts';
import { startService } from '../testing/service.ts';
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
