import type { PictureMeta } from '../contract/picture.ts';
import type { CachedPicture, EventBus, PictureCache } from './cache/cache.ts';
import { DEFAULT_MAX_STORAGE_READS } from './config.ts';
import { createKeyedQueue, createLimiter, createSingleFlight } from './concurrency.ts';
import { ApiError, storageUnavailable } from './errors.ts';
import type { PictureBytes, PictureStorage, StoredPicture } from './storage/storage.ts';
import { sniffImageType } from './upload/sniff.ts';
import { InvalidImageError, stripMetadata } from './upload/strip-metadata.ts';

/** How a lookup was answered, as the `X-Cache` header says it. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface LookupResult {
  pictures: Map<string, PictureMeta | null>;
  cache: CacheStatus;
}

export interface PictureServiceOptions {
  cache: PictureCache;
  storage: PictureStorage;
  events: EventBus;
  now?: () => number;
  /** The longest a lookup stays cached (50 minutes: presigned URLs live 60). */
  lookupTtlMs?: number;
  /** A cached URL is dropped this long before it expires, so no client is handed a URL about to die. */
  urlMarginMs?: number;
  /** How long "this user has no picture" is cached; uploads overwrite it at once. */
  absentTtlMs?: number;
  /**
   * The most storage reads this process makes at once for lookups' misses (default 64); the others wait their
   * turn, so a burst of batch lookups cannot swamp the object store.
   */
  maxStorageReads?: number;
  log?: Pick<Console, 'warn' | 'error'>;
}

/**
 * Which picture is current for each user, and changing it: the cache in front, the storage as the source of
 * truth, `picture-changed` events after every change. A cache that fails is bypassed, never fatal.
 */
export function createPictureService(options: PictureServiceOptions) {
  const { cache, storage, events } = options;
  const now = options.now ?? Date.now;
  const lookupTtlMs = options.lookupTtlMs ?? 50 * 60_000;
  const urlMarginMs = options.urlMarginMs ?? 10 * 60_000;
  const absentTtlMs = options.absentTtlMs ?? 60_000;
  const log = options.log ?? console;
  const fromStorage = createSingleFlight<CachedPicture>();
  const storageRead = createLimiter(options.maxStorageReads ?? DEFAULT_MAX_STORAGE_READS);
  const perUser = createKeyedQueue();
  let cacheDown = false;
  /**
   * Users whose change this process committed but could not write to the cache: a Redis that kept its data
   * through an outage would answer their old picture. Their entries are dropped as soon as the cache answers again.
   */
  const stale = new Set<string>();

  /** Runs a cache call; a failure is logged once per outage and answered with `fallback`. */
  async function tryCache<T>(call: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> {
    try {
      const value = await call();
      if (cacheDown) log.warn('[pictures] cache is back');
      cacheDown = false;
      if (stale.size) void dropStale();
      return { value, ok: true };
    } catch (error) {
      if (!cacheDown) log.warn(`[pictures] cache unreachable, going to storage: ${(error as Error).message}`);
      cacheDown = true;
      return { value: fallback, ok: false };
    }
  }

  async function dropStale(): Promise<void> {
    for (const userId of [...stale]) {
      await cache.delete(userId).then(() => stale.delete(userId), () => {});
    }
  }

  function ttlFor(value: CachedPicture): number {
    return value ? Math.min(lookupTtlMs, value.expiresAt - urlMarginMs - now()) : absentTtlMs;
  }

  async function toMeta(userId: string, stored: StoredPicture): Promise<PictureMeta> {
    const { url, expiresAt } = await storage.locate(userId, stored, now());
    return { userId, version: stored.version, url, contentType: stored.contentType, bytes: stored.bytes, expiresAt };
  }

  async function storageCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw error instanceof ApiError ? error : storageUnavailable(error);
    }
  }

  function readThrough(userId: string, fillCache: boolean): Promise<CachedPicture> {
    return fromStorage(userId, async () => {
      // Inside the single flight: concurrent misses for one user still share one read, and take one place.
      const stored = await storageRead(() => storageCall(() => storage.current(userId)));
      const value = stored ? await storageCall(() => toMeta(userId, stored)) : null;
      const ttl = ttlFor(value);
      if (fillCache && ttl > 0) await tryCache(() => cache.set(userId, value, ttl, { onlyIfAbsent: true }), undefined);
      return value;
    });
  }

  /**
   * Before a change commits: the cached lookup goes. The commit removes the old picture's bytes, and a process
   * killed between the commit and `write` would otherwise leave the cache naming bytes that are gone.
   */
  async function forgetBeforeCommit(userId: string): Promise<void> {
    const dropped = await tryCache(() => cache.delete(userId), undefined);
    if (!dropped.ok) stale.add(userId);
  }

  /** After a committed change: the cache and every instance's listeners learn it. */
  async function write(userId: string, value: CachedPicture): Promise<void> {
    const ttl = ttlFor(value);
    const written = await tryCache(() => (ttl > 0 ? cache.set(userId, value, ttl) : cache.delete(userId)), undefined);
    if (!written.ok) stale.add(userId);
    await events.publish({ userId, version: value?.version ?? null }).catch((error: Error) => {
      log.warn(`[pictures] could not publish picture-changed for ${userId}: ${error.message}`);
    });
  }

  return {
    /**
     * Looks up users in one cache round trip; misses go to storage, one call per user however many ask, at most
     * `maxStorageReads` at once.
     */
    async lookup(userIds: readonly string[]): Promise<LookupResult> {
      // Taken before the cache answers: a cache that is back starts dropping these entries meanwhile.
      const distrusted = stale.size ? new Set(stale) : undefined;
      const cached = await tryCache(() => cache.getMany(userIds), userIds.map(() => undefined));
      let misses = 0;
      const answers = await Promise.all(
        userIds.map((userId, i) => {
          const hit = cached.value[i];
          if (hit !== undefined && !distrusted?.has(userId)) return hit;
          misses++;
          return readThrough(userId, cached.ok);
        }),
      );
      const pictures = new Map(userIds.map((userId, i) => [userId, answers[i] ?? null]));
      if (cached.ok) cache.count(userIds.length - misses, misses);
      return { pictures, cache: !cached.ok ? 'BYPASS' : misses ? 'MISS' : 'HIT' };
    },

    /**
     * Makes `raw` the user's picture: the type is sniffed from the bytes, location and other metadata are
     * removed, and the version is the SHA-256 of what is stored.
     */
    async upload(userId: string, raw: Uint8Array): Promise<PictureMeta> {
      const contentType = sniffImageType(raw);
      if (!contentType) {
        throw new ApiError(415, 'unsupported_media_type', 'Not a supported image: upload JPEG, PNG, WebP, GIF or AVIF.');
      }
      let data: Uint8Array<ArrayBuffer>;
      try {
        data = stripMetadata(raw, contentType);
      } catch (error) {
        if (error instanceof InvalidImageError) throw new ApiError(415, 'unsupported_media_type', error.message);
        throw error;
      }
      const stored: StoredPicture = { version: await contentHash(data), contentType, bytes: data.byteLength, updatedAt: now() };
      return perUser(userId, async () => {
        await forgetBeforeCommit(userId);
        await storageCall(() => storage.put(userId, stored, data));
        const meta = await storageCall(() => toMeta(userId, stored));
        await write(userId, meta);
        return meta;
      });
    },

    /** The bytes of one version, or `null` when that version is not stored. */
    read(userId: string, version: string): Promise<PictureBytes | null> {
      return storageCall(() => storage.read(userId, version));
    },

    /** Removes the user's picture; answers whether there was one. */
    async remove(userId: string): Promise<boolean> {
      return perUser(userId, async () => {
        await forgetBeforeCommit(userId);
        const removed = await storageCall(() => storage.remove(userId));
        if (removed) await write(userId, null);
        return removed !== null;
      });
    },
  };
}

export type PictureService = ReturnType<typeof createPictureService>;

/** The version of a picture: the first 128 bits of the SHA-256 of its bytes, in hex. */
async function contentHash(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
