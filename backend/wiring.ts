import { Cluster, Redis } from 'ioredis';
import { Client as MinioClient } from 'minio';
import type { AppDeps } from './app.ts';
import type { EventBus, LookupCache } from './cache/cache.ts';
import { createMemoryCache, createMemoryEventBus } from './cache/memory.ts';
import { createRedisCache } from './cache/redis-cache.ts';
import { redisClientOptions, redisClusterOptions, type RedisClient } from './cache/redis-client.ts';
import { createRedisEventBus } from './cache/redis-events.ts';
import { startCleanup } from './cleanup.ts';
import { ConfigError, type Config } from './config.ts';
import { describeSetup } from './startup-line.ts';
import { loadStaticAssets } from './static-assets.ts';
import { createFileStorage } from './storage/files.ts';
import { createMinioStorage, ensureBucket, minioTransport } from './storage/minio.ts';
import type { PictureStorage } from './storage/storage.ts';

/** The service's parts, built from the configuration, and how to let go of them. */
export interface Wired {
  deps: AppDeps;
  /** What runs where, for the startup log: `pictures kept under ./.data (files), memory cache`. */
  describe: string;
  /** What user tokens are signed with: `AUTH_SECRET`, or a secret made at this start for the demo. */
  userTokenSecret: string;
  close(): Promise<void>;
}

/**
 * Builds the cache, storage and event bus the configuration names. The only place Redis and MinIO clients are
 * created; both runtime entries use it.
 */
export async function wire(config: Config): Promise<Wired> {
  const closers: (() => Promise<unknown>)[] = [];
  let cache: LookupCache;
  let events: EventBus;
  const redisAt = config.redisClusterNodes
    ? `the Redis Cluster at ${config.redisClusterNodes.map(({ host, port }) => `${host}:${port}`).join(',')}`
    : config.redisUrl && redactUrl(config.redisUrl);
  if (redisAt) {
    const { redisUrl, redisClusterNodes } = config;
    const connect = (): RedisClient =>
      redisClusterNodes
        ? new Cluster(redisClusterNodes, redisClusterOptions())
        : new Redis(redisUrl!, redisClientOptions());
    const client = connect();
    const subscriber = connect();
    // A Redis down at startup is survived like one that goes away later: lookups go to storage meanwhile.
    // ioredis reports every failed reconnect as an error event; the service logs an outage once, when a lookup meets
    // it.
    for (const c of [client, subscriber]) c.on('error', () => {});
    const ready = await Promise.all([client, subscriber].map((c) => readyWithin(c, 2_000)));
    if (!ready.every(Boolean))
      console.warn(`[redis] ${redisAt} is not answering yet: lookups go to storage until it does`);
    cache = createRedisCache({ client, track: !client.isCluster });
    events = createRedisEventBus({ publisher: client, subscriber });
    closers.push(
      () => events.close(),
      () => cache.close(),
      () => client.quit().catch(() => client.disconnect()),
      () => subscriber.quit().catch(() => subscriber.disconnect()),
    );
  } else {
    cache = createMemoryCache();
    events = createMemoryEventBus();
    closers.push(
      () => events.close(),
      () => cache.close(),
    );
  }
  let storage: PictureStorage;
  if (config.minio) {
    const { bucket, region, ...connection } = config.minio;
    // The transport closes a connection that stopped answering; the minio client has no timeout of its own.
    const client = new MinioClient({
      ...connection,
      region,
      pathStyle: true,
      transport: minioTransport({ useSSL: connection.useSSL }),
    });
    storage = createMinioStorage({ client, bucket, region });
    const stopEnsuring = keepEnsuringBucket(() => ensureBucket({ client, bucket, region }), bucket);
    closers.push(async () => stopEnsuring());
  } else {
    storage = createFileStorage({ dir: config.dataDir });
    // Makes the directories now, so that one deleted later is reported by /healthz instead of made again empty.
    await storage.ping().catch((error: Error) => {
      throw new ConfigError(
        `DATA_DIR ${config.dataDir} cannot be used (${error.message}): set DATA_DIR to a folder this process may create and write to.`,
        { cause: error },
      );
    });
  }
  // Every instance sweeps: sweeps hold no state, so several at once are safe.
  const cleanup = startCleanup({ storage, intervalMs: config.cleanupIntervalMs, graceMs: config.cleanupGraceMs });
  closers.push(() => cleanup.stop());
  // Without an operator's AUTH_SECRET the demo signs its own user's tokens, with a secret no one else knows.
  const userTokenSecret = config.authSecret ?? randomSecret();
  return {
    deps: {
      cache,
      storage,
      events,
      auth: {
        secret: userTokenSecret,
        adminToken: config.adminToken,
        audience: config.authAudience,
        maxTokenLifetimeS: config.maxTokenLifetimeS,
      },
      maxUploadBytes: config.maxUploadBytes,
      uploadTimeoutMs: config.uploadTimeoutMs,
      maxImagePixels: config.maxImagePixels,
      maxImageFrames: config.maxImageFrames,
      maxAnimationPixels: config.maxAnimationPixels,
      maxImageJobs: config.maxImageJobs,
      maxStorageReads: config.maxStorageReads,
      trustProxy: config.trustProxy,
      maxStreamsPerClient: config.maxStreamsPerClient,
      maxStreams: config.maxStreams,
      maxUploadsPerClient: config.maxUploadsPerClient,
      maxUploadMemoryBytes: config.maxUploadMemoryBytes,
      cleanupGraceMs: config.cleanupGraceMs,
      copyMemory: { maxBytes: config.copyMemoryBytes, ttlMs: config.cleanupIntervalMs },
      corsOrigins: config.corsOrigins,
      publicUrl: config.publicUrl,
      assets: await loadStaticAssets(),
    },
    describe: describeSetup(config),
    userTokenSecret,
    async close() {
      for (const close of closers) await close();
    },
  };
}

/**
 * Creates the bucket when missing. An object store that is down at startup is survived like one that goes away
 * later (cached lookups answer, `/healthz` says so): the service starts, and tries again every few seconds.
 */
function keepEnsuringBucket(ensure: () => Promise<unknown>, bucket: string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let warned = false;
  const attempt = () => {
    ensure().then(
      () => warned && console.warn(`[storage] bucket ${bucket} is ready`),
      (error: Error) => {
        if (!warned)
          console.warn(`[storage] cannot reach the object store for bucket ${bucket}, retrying: ${error.message}`);
        warned = true;
        timer = setTimeout(attempt, 3_000);
      },
    );
  };
  attempt();
  return () => clearTimeout(timer);
}

/** 32 random bytes as hex: a secret for this process alone. */
function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Waits for a client's first connection, so the first requests find the cache; a Redis that is down only delays. */
function readyWithin(client: RedisClient, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve(client.status === 'ready');
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'REDIS_URL';
  }
}
