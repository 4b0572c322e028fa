import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig } from './config.ts';

test('an empty environment is the embedded default for a local demo', () => {
  assert.deepEqual(readConfig({}), {
    host: '127.0.0.1', port: 8787, redisUrl: undefined, minio: undefined, dataDir: './.data',
    authSecret: undefined, adminToken: undefined, maxUploadBytes: 5 * 1024 * 1024, corsOrigins: ['*'], seedDemo: true,
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
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }, /REDIS_CLUSTER_NODES/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO=maybe/],
  ];
  for (const [env, message] of cases) assert.throws(() => readConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message));
});
