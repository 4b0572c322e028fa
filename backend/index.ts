/**
 * The image service for code that embeds it: the Web-standard app and the parts it is built from. `app.fetch` runs
 * on any runtime (Node through `@hono/node-server`, Deno, Bun, workers).
 *
 * @example
 * import { createApp, createMemoryCache, createMemoryEventBus, createFileStorage } from 'cached-profile-pictures/backend';
 * const app = createApp({ cache: createMemoryCache(), events: createMemoryEventBus(), storage: createFileStorage({ dir: './pictures' }), auth: { secret } });
 * Deno.serve(app.fetch);
 *
 * On Redis, create the clients with {@link redisClientOptions} (one server) or {@link redisClusterOptions} (a Redis
 * Cluster): with them a Redis that is away costs a lookup almost nothing, and the lookup goes to the storage.
 *
 * @example
 * import { Cluster } from 'ioredis';
 * import { createRedisCache, redisClusterOptions } from 'cached-profile-pictures/backend';
 * const cache = createRedisCache({ client: new Cluster([{ host: '10.0.0.11', port: 6379 }], redisClusterOptions()) });
 *
 * A replaced or removed picture's bytes stay until a sweep removes them: run {@link startCleanup} beside the app
 * (the runtime entries do), and pass its `graceMs` to `createApp` as `cleanupGraceMs`.
 */
export { createApp, type AppDeps } from './app.ts';
export type { AuthOptions } from './auth.ts';
export type { CachedPicture, EventBus, LookupCache } from './cache/cache.ts';
export {
  createMemoryCache,
  createMemoryEventBus,
  type MemoryCacheOptions,
  type MemoryEventBusOptions,
} from './cache/memory.ts';
export { createRedisCache, type RedisCacheOptions } from './cache/redis-cache.ts';
export { redisClientOptions, redisClusterOptions } from './cache/redis-client.ts';
export { createRedisEventBus, type RedisEventBusOptions } from './cache/redis-events.ts';
export { startCleanup, type Cleanup, type CleanupOptions } from './cleanup.ts';
export { createFileStorage, type FileStorageOptions } from './storage/files.ts';
export { createMinioStorage, ensureBucket, minioTransport, type MinioStorageOptions } from './storage/minio.ts';
export type { PictureStorage, StoredPicture, SweepReport } from './storage/storage.ts';
export { readConfig, ConfigError, type Config } from './config.ts';
export { wire, type Wired } from './wiring.ts';
