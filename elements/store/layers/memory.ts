import type { CachedEntry } from '../entry.ts';
import type { SyncLayer } from './layer.ts';

/**
 * The session's layer: a bounded LRU in a Map (re-inserting a key moves it to the end). A hit is a Map lookup,
 * answered in the same task.
 */
export function createMemoryLayer(maxEntries = 500): SyncLayer {
  const entries = new Map<string, CachedEntry>();
  return {
    name: 'memory',
    get(userId, now) {
      const entry = entries.get(userId);
      if (!entry) return undefined;
      entries.delete(userId);
      if (entry.freshUntil <= now) return undefined;
      entries.set(userId, entry);
      return entry;
    },
    put(userId, entry) {
      entries.delete(userId);
      entries.set(userId, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    delete(userId) {
      entries.delete(userId);
    },
    clear() {
      entries.clear();
    },
  };
}
