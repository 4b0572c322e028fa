import type { PictureEntry } from './expiration.ts';
import type { WorkerDb } from './worker-db.ts';

/** What the worker counts, kept across its restarts. */
export type Counter = 'hits' | 'misses' | 'stale';

/**
 * The worker's picture entries and counters, in memory for its lifetime and written to IndexedDB in batches: a hit
 * answers from memory and its "last used" time joins the next write (one transaction for a page of 50 pictures).
 * Changes are visible at once; `flush()` resolves once they are on disk (pass it to `event.waitUntil`).
 *
 * The entries on disk are read when something first needs them (`ready`), not when the worker starts: a worker
 * started for a page answers it without opening IndexedDB. Changes made before they are read win over the disk's, and
 * the counters counted meanwhile are added to the disk's.
 */
export class PictureIndex {
  readonly #db: () => Promise<WorkerDb>;
  readonly #entries = new Map<string, PictureEntry>();
  readonly #counters: Record<Counter, number> = { hits: 0, misses: 0, stale: 0 };
  /** Keys whose entry changed or went since the last write. */
  readonly #dirty = new Set<string>();
  #countersDirty = false;
  #writing: Promise<void> | undefined;
  #loading: Promise<void> | undefined;
  #warned = false;

  constructor(db: () => Promise<WorkerDb>) {
    this.#db = db;
  }

  /**
   * Resolves once the entries on disk are in memory (at once empty when IndexedDB cannot be opened); the first call
   * reads them.
   */
  get ready(): Promise<void> {
    return (this.#loading ??= this.#load());
  }

  get(key: string): PictureEntry | undefined {
    return this.#entries.get(key);
  }

  values(): IterableIterator<PictureEntry> {
    return this.#entries.values();
  }

  get size(): number {
    return this.#entries.size;
  }

  counters(): Readonly<Record<Counter, number>> {
    return { ...this.#counters };
  }

  set(entry: PictureEntry): void {
    this.#entries.set(entry.key, entry);
    this.#dirty.add(entry.key);
  }

  delete(key: string): void {
    this.#entries.delete(key);
    // Even when not in memory: an entry not read yet must not come back from the disk.
    this.#dirty.add(key);
  }

  touch(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if (entry) this.set({ ...entry, lastUsed: now });
  }

  count(counter: Counter): void {
    this.#counters[counter]++;
    this.#countersDirty = true;
  }

  /** Forgets every entry, and the counters; once `ready`, or the entries not read yet would come back. */
  clear(): void {
    for (const key of this.#entries.keys()) this.#dirty.add(key);
    this.#entries.clear();
    for (const counter of Object.keys(this.#counters) as Counter[]) this.#counters[counter] = 0;
    this.#countersDirty = true;
  }

  /**
   * Writes what changed, `afterMs` from now: a burst of hits (a page of 50 pictures) is written once it is over, not
   * while it competes with the answers. Calls made meanwhile share the write; changes made while it is under way
   * follow in the same run.
   */
  flush(afterMs = 0): Promise<void> {
    return (this.#writing ??= this.#write(afterMs).finally(() => (this.#writing = undefined)));
  }

  async #write(afterMs: number): Promise<void> {
    // Changes made in this same task (or within afterMs) join this write.
    await new Promise((resolve) => (afterMs ? setTimeout(resolve, afterMs) : queueMicrotask(() => resolve(undefined))));
    // The disk is read first: counters written before would replace its counts, and the load skips what is dirty.
    await this.ready;
    while (this.#dirty.size || this.#countersDirty) {
      const keys = [...this.#dirty];
      this.#dirty.clear();
      const counters = this.#countersDirty ? { ...this.#counters } : undefined;
      this.#countersDirty = false;
      try {
        const tx = (await this.#db()).transaction(['entries', 'counters'], 'readwrite');
        const entries = tx.objectStore('entries');
        for (const key of keys) {
          const entry = this.#entries.get(key);
          void (entry ? entries.put(entry) : entries.delete(key));
        }
        for (const [name, value] of Object.entries(counters ?? {})) void tx.objectStore('counters').put(value, name);
        await tx.done;
      } catch (error) {
        // The cache keeps working from memory; the next start reconciles the disk with the Cache API.
        this.#warnOnce(`could not save the picture index: ${(error as Error).message}`);
      }
    }
  }

  async #load(): Promise<void> {
    try {
      const db = await this.#db();
      const [entries, names, values] = await Promise.all([
        db.getAll('entries'),
        db.getAllKeys('counters'),
        db.getAll('counters'),
      ]);
      for (const entry of entries) if (!this.#dirty.has(entry.key)) this.#entries.set(entry.key, entry);
      names.forEach((name, i) => {
        // Own keys only: a stored `constructor` or `__proto__` must not reach the object's prototype.
        if (Object.hasOwn(this.#counters, name)) this.#counters[name as Counter] += values[i] ?? 0;
      });
    } catch (error) {
      this.#warnOnce(`IndexedDB is unavailable, the picture index lives in memory only: ${(error as Error).message}`);
    }
  }

  #warnOnce(message: string): void {
    if (this.#warned) return;
    this.#warned = true;
    console.warn(`[ImageCache] service worker: ${message}`);
  }
}
