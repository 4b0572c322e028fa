import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig } from './config.ts';

test('an empty environment is the embedded default for a local demo', () => {
  assert.deepEqual(readConfig({}), {
    host: '127.0.0.1',
    port: 8787,
    redisUrl: undefined,
    redisClusterNodes: undefined,
    minio: undefined,
    dataDir: './.data',
    authSecret: undefined,
    adminToken: undefined,
    maxTokenLifetimeS: 86_400,
    maxUploadBytes: 20 * 1024 * 1024,
    uploadTimeoutMs: 120_000,
    maxImagePixels: 25_000_000,
    maxImageFrames: 100,
    maxAnimationPixels: 100_000_000,
    maxImageJobs: 2,
    maxStorageReads: 64,
    trustProxy: 0,
    maxStreamsPerClient: 16,
    maxStreams: 512,
    maxUploadsPerClient: 4,
    maxUploadMemoryBytes: 80 * 1024 * 1024,
    headersTimeoutMs: 20_000,
    copyMemoryBytes: 32 * 1024 * 1024,
    cleanupIntervalMs: 600_000,
    cleanupGraceMs: 7_200_000,
    authAudience: undefined,
    corsOrigins: ['*'],
    publicUrl: undefined,
    seedDemo: true,
  });
});

test('MinIO settings are read with their defaults', () => {
  const config = readConfig({
    MINIO_ENDPOINT: 's3.local',
    MINIO_ACCESS_KEY: 'k',
    MINIO_SECRET_KEY: 's',
    MINIO_USE_SSL: 'true',
    CORS_ORIGINS: 'https://a.example, https://b.example',
  });
  assert.deepEqual(config.minio, {
    endPoint: 's3.local',
    port: 9000,
    useSSL: true,
    accessKey: 'k',
    secretKey: 's',
    bucket: 'profile-pictures',
    region: 'us-east-1',
  });
  assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
});

test('a bad setting stops the start with a message naming the variable', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT=eighty/],
    [{ MAX_UPLOAD_BYTES: '-1' }, /MAX_UPLOAD_BYTES/],
    [{ MINIO_ENDPOINT: 's3.local' }, /MINIO_ACCESS_KEY/],
    [
      { MINIO_ENDPOINT: 's3.local', MINIO_ACCESS_KEY: 'k', MINIO_SECRET_KEY: 's', MINIO_USE_SSL: 'maybe' },
      /MINIO_USE_SSL/,
    ],
    [{ AUTH_SECRET: 'short' }, /AUTH_SECRET.*32/],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, /REDIS_CLUSTER_NODES: "127.0.0.1" is not host:port/],
    [{ REDIS_CLUSTER_NODES: ' , ' }, /REDIS_CLUSTER_NODES names no node/],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' }, /both set/],
    [{ UPLOAD_TIMEOUT_MS: '0' }, /UPLOAD_TIMEOUT_MS/],
    [{ MAX_IMAGE_PIXELS: 'lots' }, /MAX_IMAGE_PIXELS/],
    [{ MAX_STORAGE_READS: '0' }, /MAX_STORAGE_READS/],
    [{ CLEANUP_INTERVAL_MS: 'hourly' }, /CLEANUP_INTERVAL_MS/],
    [{ COPY_MEMORY_BYTES: '-1' }, /COPY_MEMORY_BYTES=-1 is not a whole number of 0 or more/],
    [{ COPY_MEMORY_BYTES: '32MB' }, /COPY_MEMORY_BYTES/],
    [{ CLEANUP_GRACE_MS: '0' }, /CLEANUP_GRACE_MS/],
    [{ SEED_DEMO: 'maybe' }, /SEED_DEMO=maybe/],
  ];
  for (const [env, message] of cases)
    assert.throws(
      () => readConfig(env),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
});

test('a Redis Cluster, the upload timeout, the pixel limit and the token audience are read', () => {
  const config = readConfig({
    REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002',
    UPLOAD_TIMEOUT_MS: '2000',
    MAX_IMAGE_PIXELS: '1000000',
    AUTH_AUDIENCE: 'pictures.example',
  });
  assert.deepEqual(config.redisClusterNodes, [
    { host: '10.0.0.1', port: 7000 },
    { host: 'redis-b.internal', port: 7001 },
    { host: '::1', port: 7002 },
  ]);
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.uploadTimeoutMs, 2_000);
  assert.equal(config.maxImagePixels, 1_000_000);
  assert.equal(config.authAudience, 'pictures.example');
});

test('COPY_MEMORY_BYTES sets the memory kept for copies, and 0 keeps none', () => {
  assert.equal(readConfig({ COPY_MEMORY_BYTES: '1048576' }).copyMemoryBytes, 1_048_576);
  assert.equal(readConfig({ COPY_MEMORY_BYTES: '0' }).copyMemoryBytes, 0);
});

test('MAX_STORAGE_READS bounds the storage reads of lookups', () => {
  assert.equal(readConfig({ MAX_STORAGE_READS: '16' }).maxStorageReads, 16);
});

test('MAX_TOKEN_LIFETIME_S bounds how long a user token may last: 24 hours unless set', () => {
  assert.equal(readConfig({}).maxTokenLifetimeS, 24 * 60 * 60);
  assert.equal(readConfig({ MAX_TOKEN_LIFETIME_S: ' 900 ' }).maxTokenLifetimeS, 900);
  for (const value of ['0', '-5', '1.5', 'a day']) {
    assert.throws(
      () => readConfig({ MAX_TOKEN_LIFETIME_S: value }),
      (e: Error) =>
        e instanceof ConfigError && /^MAX_TOKEN_LIFETIME_S=.* is not a positive whole number\.$/.test(e.message),
    );
  }
});

test('AUTH_SECRET and ADMIN_TOKEN are trimmed; blanks or fewer than 32 characters stop the start with one line naming the variable', () => {
  const secret = 'a'.repeat(16) + 'b'.repeat(16);
  const config = readConfig({ AUTH_SECRET: `  ${secret}\n`, ADMIN_TOKEN: `\t${secret}  ` });
  assert.equal(config.authSecret, secret);
  assert.equal(config.adminToken, secret);
  // Empty is unset, as with every variable (`AUTH_SECRET=` in an env file): the demo's sign-in, no operator.
  assert.deepEqual(
    [readConfig({ AUTH_SECRET: '', ADMIN_TOKEN: '' }).authSecret, readConfig({ ADMIN_TOKEN: '' }).adminToken],
    [undefined, undefined],
  );
  const cases: [Record<string, string>, RegExp][] = [
    [
      { AUTH_SECRET: '   ' },
      /^AUTH_SECRET is set but blank: use at least 32 characters .*leave it unset for the demo's sign-in\.$/,
    ],
    [{ AUTH_SECRET: '\t\n' }, /^AUTH_SECRET is set but blank/],
    [
      { ADMIN_TOKEN: '  ' },
      /^ADMIN_TOKEN is set but blank: use at least 32 characters .*leave it unset for no operator\.$/,
    ],
    [{ ADMIN_TOKEN: 'Z' }, /^ADMIN_TOKEN is too short to be hard to guess: use at least 32 characters/],
    [{ ADMIN_TOKEN: ` ${'k'.repeat(31)} ` }, /^ADMIN_TOKEN is too short/],
    [
      { AUTH_SECRET: ` ${'s'.repeat(31)}   ` },
      /^AUTH_SECRET is too short to sign tokens safely: use at least 32 characters/,
    ],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => readConfig(env),
      (e: Error) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, message);
        assert.ok(!e.message.includes('\n'), 'one line');
        const value = Object.values(env)[0]!.trim();
        if (value) assert.ok(!e.message.includes(value), `the message repeats the value: ${e.message}`);
        return true;
      },
    );
  }
  assert.equal(readConfig({ ADMIN_TOKEN: 'k'.repeat(32) }).adminToken, 'k'.repeat(32));
});
