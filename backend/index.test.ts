// The public entry (`cached-profile-pictures/backend`): what code that builds its own Redis clients needs is there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as entry from './index.ts';

test('the backend entry exports the ioredis options for one Redis and for a Redis Cluster', () => {
  assert.equal(typeof entry.redisClientOptions, 'function');
  assert.equal(typeof entry.redisClusterOptions, 'function');
  const cluster = entry.redisClusterOptions({ scaleReads: 'slave' });
  // The same fail-fast behaviour as one Redis, on every node connection.
  assert.equal(cluster.enableOfflineQueue, false);
  assert.equal(cluster.redisOptions?.commandTimeout, entry.redisClientOptions().commandTimeout);
  assert.equal(cluster.scaleReads, 'slave', 'overrides are kept');
});
