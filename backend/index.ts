/**
 * The image service for code that embeds it: the Web-standard app and the parts it is built from. `app.fetch` runs
 * on any runtime (Node through `@hono/node-server`, Deno, Bun, workers).
 *
 * @example
 * import { createApp, createMemoryCache, createMemoryEventBus, createFileStorage } from 'cached-profile-pictures/backend';
 * const app = createApp({ cache: createMemoryCache(), events: createMemoryEventBus(), storage: createFileStorage({ dir: './pictures' }), auth: { secret } });
 * Deno.serve(app.fetch);
 */
export { createApp, type AppDeps } from './app.ts';
export type { AuthOptions } from './auth.ts';
export type { CachedPicture, EventBus, PictureCache } from './cache/cache.ts';
export { createMemoryCache, createMemoryEventBus, type MemoryCacheOptions, type MemoryEventBusOptions } from './cache/memory.ts';
export { createRedisCache, createRedisEventBus, redisClientOptions, type RedisCacheOptions, type RedisEventBusOptions } from './cache/redis.ts';
export { createFileStorage, type FileStorageOptions } from './storage/files.ts';
export { createMinioStorage, ensureBucket, minioTransport, type MinioStorageOptions } from './storage/minio.ts';
export type { PictureStorage, StoredPicture } from './storage/storage.ts';
export { readConfig, ConfigError, type Config } from './config.ts';
export { wire, type Wired } from './wiring.ts';
