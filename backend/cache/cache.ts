import type { PictureChangedEvent, PictureMeta } from '../../contract/picture.ts';

/** A cached lookup: the metadata, or `null` when the user is known to have no picture. */
export type CachedPicture = PictureMeta | null;

/**
 * The lookup cache in front of the storage. Implementations: Redis (shared by every instance) and an LRU in
 * memory (one process). A cache is only a cache: every method may throw when it cannot be reached, and the
 * caller then asks the storage instead.
 */
export interface LookupCache {
  readonly kind: 'redis' | 'memory';
  /**
   * One round trip for all ids; `undefined` where an id is not cached (or its entry has expired). What it answers is
   * the caller's to read, not to change: the memory cache hands out its entries themselves, frozen.
   */
  getMany(userIds: readonly string[]): Promise<(CachedPicture | undefined)[]>;
  /**
   * Caches a lookup for `ttlMs` milliseconds. With `onlyIfAbsent` an existing entry wins: a lookup that read the
   * storage before an upload committed must not overwrite the newer entry the upload wrote.
   */
  set(userId: string, value: CachedPicture, ttlMs: number, options?: { onlyIfAbsent?: boolean }): Promise<void>;
  /** Drops a user's cached lookup. */
  delete(userId: string): Promise<void>;
  /** Counts lookups answered by the cache and not; cheap, never throws, flushed in the background. */
  count(hits: number, misses: number): void;
  /** Hit and miss counts of every instance sharing this cache, and how many users are cached now. */
  stats(): Promise<{ hits: number; misses: number; keys: number }>;
  /** Throws when the cache cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `picture-changed` events, delivered to the subscribers of every instance (Redis pub/sub) or of this process. */
export interface EventBus {
  publish(event: PictureChangedEvent): Promise<void>;
  /** Calls `listener` for every event published anywhere; returns the unsubscribe function. */
  subscribe(listener: (event: PictureChangedEvent) => void): () => void;
  close(): Promise<void>;
}
