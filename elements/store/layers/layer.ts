import type { CachedEntry } from '../entry.ts';
import type { MetaLayer } from '../types.ts';

/**
 * One of the store's cache layers: what it keeps of each user's current picture. The store walks its layers fastest
 * first and owns the policy (their order, the TTLs, what a hit promotes); a layer only keeps entries. A failed read
 * is a miss and a failed write is dropped: neither throws.
 *
 * A layer reads in one of two ways: `get`, in the same task (memory, LocalStorage), which the store's synchronous
 * `peek` walks; or `getMany`, one read for a whole batch (IndexedDB), which `get` walks after them, before the
 * network.
 *
 * @example
 * const layers: Layer[] = [createMemoryLayer(), createLocalStorageLayer(), createIndexedDbLayer()];
 */
export interface Layer {
  readonly name: Exclude<MetaLayer, 'network'>;
  /** The user's entry if it is fresh at `now`, answered in the same task; `undefined` is a miss. */
  get?(userId: string, now: number): CachedEntry | undefined;
  /** The fresh entries among `userIds`, in one read; a user missing from the answer is a miss. */
  getMany?(userIds: string[], now: number): Promise<Map<string, CachedEntry>>;
  /** Keeps the entry (in the background, for a layer that writes later). */
  put(userId: string, entry: CachedEntry): void;
  delete(userId: string): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** A layer that answers in the same task: memory and LocalStorage. */
export interface SyncLayer extends Layer {
  get(userId: string, now: number): CachedEntry | undefined;
}
