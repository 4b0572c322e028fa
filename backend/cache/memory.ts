import type { CachedPicture, EventBus, LookupCache } from './cache.ts';
import { checkTtl, copyPicture, createListeners, reportListenerError, toCount } from './shared.ts';

export interface MemoryCacheOptions {
  /** The most users kept; the least recently used one goes first. */
  maxEntries?: number;
  /** The clock, in milliseconds since the epoch; tests pass their own. */
  now?: () => number;
}

interface Entry {
  value: CachedPicture;
  expiresAt: number;
}

/**
 * A {@link LookupCache} in this process's memory: an LRU bounded by `maxEntries`, each entry with its own
 * expiry. Counts and entries belong to this process only; with several instances, use the Redis cache.
 * Web-standard JavaScript only, so it runs anywhere.
 *
 * @example
 * const cache = createMemoryCache({ maxEntries: 10_000 });
 * await cache.set('ada', meta, 50 * 60_000);
 * const [ada] = await cache.getMany(['ada']); // meta, null (no picture) or undefined (not cached)
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): LookupCache {
  const { maxEntries = 10_000, now = Date.now } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`createMemoryCache: maxEntries must be a positive integer, got ${maxEntries}`);
  }
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used entry first.
  const entries = new Map<string, Entry>();
  let hits = 0;
  let misses = 0;

  function lookup(userId: string, time: number): CachedPicture | undefined {
    const entry = entries.get(userId);
    if (!entry) return undefined;
    entries.delete(userId);
    if (entry.expiresAt <= time) return undefined;
    entries.set(userId, entry);
    return copyPicture(entry.value);
  }

  return {
    kind: 'memory',

    async getMany(userIds) {
      const time = now();
      return userIds.map((userId) => lookup(userId, time));
    },

    async set(userId, value, ttlMs, { onlyIfAbsent = false } = {}) {
      checkTtl(ttlMs);
      const time = now();
      const existing = entries.get(userId);
      // Not a use of the existing entry: its place in the LRU order stays.
      if (onlyIfAbsent && existing && existing.expiresAt > time) return;
      entries.delete(userId);
      // A copy, so a caller that edits its object (or the one it got back) cannot change what is cached.
      entries.set(userId, { value: copyPicture(value), expiresAt: time + ttlMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },

    async delete(userId) {
      entries.delete(userId);
    },

    count(h, m) {
      hits += toCount(h);
      misses += toCount(m);
    },

    async stats() {
      const time = now();
      for (const [userId, entry] of entries) if (entry.expiresAt <= time) entries.delete(userId);
      return { hits, misses, keys: entries.size };
    },

    async ping() {},

    async close() {
      entries.clear();
    },
  };
}

export interface MemoryEventBusOptions {
  /** Told when a listener throws; the other listeners are called all the same. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * An {@link EventBus} for one process: `publish` calls every listener before it resolves.
 * After `close()`, nothing is delivered.
 */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const { onError = reportListenerError } = options;
  const listeners = createListeners(onError);
  let closed = false;

  return {
    async publish(event) {
      if (!closed) listeners.deliver(event);
    },

    subscribe(listener) {
      return closed ? () => {} : listeners.subscribe(listener);
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
