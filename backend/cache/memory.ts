import type { CachedPicture, EventBus, LookupCache } from './cache.ts';
import { createLru } from './lru.ts';
import { checkTtl, createListeners, frozenCopy, reportListenerError, toCount } from './shared.ts';

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
  const entries = createLru<Entry>();
  let hits = 0;
  let misses = 0;

  function lookup(userId: string, time: number): CachedPicture | undefined {
    const entry = entries.use(userId);
    if (!entry) return undefined;
    if (entry.expiresAt > time) return entry.value;
    entries.delete(userId);
    return undefined;
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
      const existing = entries.peek(userId);
      // Not a use of the existing entry: its place in the LRU order stays.
      if (onlyIfAbsent && existing && existing.expiresAt > time) return;
      // A frozen copy, so neither the caller that edits its object nor one that got the entry back can change it; hits
      // then hand out the entry itself, and an answer prepared from it stays true (routes/lookup-answers.ts).
      entries.set(userId, { value: frozenCopy(value), expiresAt: time + ttlMs });
      while (entries.size > maxEntries) entries.dropOldest();
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
      for (const [userId, entry] of entries.entries()) if (entry.expiresAt <= time) entries.delete(userId);
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
