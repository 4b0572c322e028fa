import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContractTarget } from './contract-suite.ts';
import { startRedisCluster } from './redis-cluster.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';
import { startS3Server, type S3Server } from './s3-server.ts';
import { startService, type RunningService } from './service.ts';
import { TEST_ADMIN_TOKEN, TEST_SECRET } from './tokens.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Small enough that the size-limit tests send little. */
export const TEST_MAX_UPLOAD_BYTES = 64 * 1024;

/** Made by the S3 server at its start, so it allows any origin to GET, as a bucket behind a site would. */
const TEST_BUCKET = 'pictures-test';

// No demo users: each test makes the users it counts on. Every request comes from this one address, so tests that
// send a burst of uploads at once are not one client's handful (system/uploads-bounded.test.ts checks the default).
/** The settings every test service runs with (secrets, a small upload limit, no demo people, uploads at once). */
export const TEST_SERVICE_ENV: Readonly<Record<string, string>> = {
  AUTH_SECRET: TEST_SECRET,
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  MAX_UPLOAD_BYTES: String(TEST_MAX_UPLOAD_BYTES),
  SEED_DEMO: '0',
  MAX_UPLOADS_PER_CLIENT: '100',
};

/** The service on the embedded default: memory cache, files in a fresh directory; `env` adds settings. */
export async function startEmbedded(
  runtime: 'node' | 'deno',
  env: Record<string, string> = {},
): Promise<ContractTarget & { service: RunningService; dataDir: string }> {
  // Under ./.data, the one folder `npm run start:deno` may read and write.
  await mkdir(join(root, '.data'), { recursive: true });
  const dir = await mkdtemp(join(root, '.data', 'test-'));
  const service = await startService(runtime, { ...TEST_SERVICE_ENV, DATA_DIR: dir, ...env });
  return {
    base: service.base,
    maxUploadBytes: TEST_MAX_UPLOAD_BYTES,
    storage: 'files',
    cache: 'memory',
    service,
    dataDir: dir,
    async breakStorage() {
      // The data directory gone, as when its disk is unmounted.
      await rename(dir, `${dir}.away`);
      return () => rename(`${dir}.away`, dir);
    },
    async stop() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The environment that points the service at an S3 server, with the test settings. */
function s3Env(s3: S3Server): Record<string, string> {
  return {
    ...TEST_SERVICE_ENV,
    MINIO_ENDPOINT: '127.0.0.1',
    MINIO_PORT: String(s3.port),
    MINIO_ACCESS_KEY: s3.accessKey,
    MINIO_SECRET_KEY: s3.secretKey,
    MINIO_REGION: s3.region,
    MINIO_BUCKET: TEST_BUCKET,
  };
}

/** What the contract suite does to the backing servers' Redis, and the peers it starts on them. */
export function redisControls(backing: BackingServers, runtime: 'node' | 'deno'): NonNullable<ContractTarget['redis']> {
  return {
    flushAll: () => backing.redis.flushAll(),
    async stop() {
      await backing.redis.stop();
      return () => backing.redis.start();
    },
    startPeer: () => startService(runtime, backing.env),
  };
}

/** Stops the S3 server listening (its data stays); resolves with the call that starts it again. */
export async function pauseS3(s3: S3Server): Promise<() => Promise<void>> {
  await s3.pause();
  return () => s3.restart();
}

/** Starts two servers at once; when one fails, the other is stopped before the error is thrown. */
async function startBoth<A extends { stop(): Promise<void> }, B extends { stop(): Promise<void> }>(
  a: Promise<A>,
  b: Promise<B>,
): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  await Promise.all(
    [first, second].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)),
  );
  throw first.status === 'rejected' ? first.reason : (second as PromiseRejectedResult).reason;
}

export interface BackingServers {
  redis: RedisServer;
  s3: S3Server;
  /** The service's environment for them. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A private Redis and S3 server, and the environment that points the service at them; `atomic` as startS3Server's. */
export async function startBackingServers(options: { atomic?: boolean } = {}): Promise<BackingServers> {
  const [redis, s3] = await startBoth(
    startRedisServer(),
    startS3Server({ buckets: [TEST_BUCKET], atomic: options.atomic }),
  );
  return {
    redis,
    s3,
    env: { ...s3Env(s3), REDIS_URL: redis.url },
    async stop() {
      await Promise.all([redis.stop(), s3.stop()]);
    },
  };
}

/** The service on Redis and S3, each a private server started for this test. */
export async function startWithRedisS3(runtime: 'node' | 'deno'): Promise<ContractTarget> {
  const backing = await startBackingServers();
  const service = await startService(runtime, backing.env);
  return {
    base: service.base,
    maxUploadBytes: TEST_MAX_UPLOAD_BYTES,
    storage: 'minio',
    cache: 'redis',
    breakStorage: () => pauseS3(backing.s3),
    redis: redisControls(backing, runtime),
    async stop() {
      await service.stop();
      await backing.stop();
    },
  };
}

/** The service on a three-node Redis Cluster (`REDIS_CLUSTER_NODES`) and S3, each private to this test. */
export async function startWithRedisClusterS3(runtime: 'node' | 'deno'): Promise<ContractTarget> {
  const [cluster, s3] = await startBoth(startRedisCluster(), startS3Server({ buckets: [TEST_BUCKET] }));
  const service = await startService(runtime, { ...s3Env(s3), REDIS_CLUSTER_NODES: cluster.nodeList });
  return {
    base: service.base,
    maxUploadBytes: TEST_MAX_UPLOAD_BYTES,
    storage: 'minio',
    cache: 'redis',
    breakStorage: () => pauseS3(s3),
    async stop() {
      await service.stop();
      await Promise.all([cluster.stop(), s3.stop()]);
    },
  };
}
