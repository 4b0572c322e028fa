import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig } from './config.ts';

test('an empty environment is the embedded default for a local demo', () => {
  assert.deepEqual(readConfig({}), {
    host: '127.0.0.1', port: 8787, redisUrl: undefined, redisClusterNodes: undefined, minio: undefined, dataDir: './.data',
    authSecret: undefined, adminToken: undefined, maxUploadBytes: 20 * 1024 * 1024, uploadTimeoutMs: 120_000,
    maxImagePixels: 25_000_000, maxImageFrames: 100, maxAnimationPixels: 100_000_000, maxImageJobs: 2, maxStorageReads: 64, authAudience: undefined, corsOrigins: ['*'], publicUrl: undefined, seedDemo: true,
  });
});

test('MinIO settings are read with their defaults', () => {
  const config = readConfig({ MINIO_ENDPOINT: 's3.local', MINIO_ACCESS_KEY: 'k', MINIO_SECRET_KEY: 's', MINIO_USE_SSL: 'true', CORS_ORIGINS: 'https://a.example, https://b.example' });
  assert.deepEqual(config.minio, { endPoint: 's3.local', port: 9000, useSSL: true, accessKey: 'k', secretKey: 's', bucket: 'profile-pictures', region: 'us-east-1' });
  assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
});

test('a bad setting stops the start with a message naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT=eighty/],
    [{ MAX_UPLOAD_BYTES: '-1' }, /MAX_UPLOAD_BYTES/],
    [{ MINIO_ENDPOINT: 's3.local' }, /MINIO_ACCESS_KEY/],
    [{ MINIO_ENDPOINT: 's3.local', MINIO_ACCESS_KEY: 'k', MINIO_SECRET_KEY: 's', MINIO_USE_SSL: 'maybe' }, /MINIO_USE_SSL/],
    [{ AUTH_SECRET: 'short' }, /AUTH_SECRET.*32/],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, /REDIS_CLUSTER_NODES: "127.0.0.1" is not host:port/],
    [{ REDIS_CLUSTER_NODES: ' , ' }, /REDIS_CLUSTER_NODES names no node/],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' }, /both set/],
    [{ UPLOAD_TIMEOUT_MS: '0' }, /UPLOAD_TIMEOUT_MS/],
    [{ MAX_IMAGE_PIXELS: 'lots' }, /MAX_IMAGE_PIXELS/],
    [{ MAX_STORAGE_READS: '0' }, /MAX_STORAGE_READS/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO=maybe/],
  ];
  for (const [env, message] of cases) assert.throws(() => readConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message));
});

test('a Redis Cluster, the upload timeout, the pixel limit and the token audience are read', () => {
  const config = readConfig({
    REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002', UPLOAD_TIMEOUT_MS: '2000',
    MAX_IMAGE_PIXELS: '1000000', AUTH_AUDIENCE: 'pictures.example',
  });
  assert.deepEqual(config.redisClusterNodes, [{ host: '10.0.0.1', port: 7000 }, { host: 'redis-b.internal', port: 7001 }, { host: '::1', port: 7002 }]);
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.uploadTimeoutMs, 2_000);
  assert.equal(config.maxImagePixels, 1_000_000);
  assert.equal(config.authAudience, 'pictures.example');
});

test('MAX_STORAGE_READS bounds the storage reads of lookups', () => {
  assert.equal(readConfig({ MAX_STORAGE_READS: '16' }).maxStorageReads, 16);
});
