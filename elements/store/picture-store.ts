import { USER_ID_PATTERN, type PictureMeta } from '../../contract/picture.ts';
import { byteOriginOf } from '../monitor/byte-origin.ts';
import { URL_MARGIN_MS, urlUsable } from './entry.ts';
import { fetchPictures } from './fetch-pictures.ts';
import { connectInvalidations, type Invalidation } from './invalidation.ts';
import type { IndexedDbLayer } from './layers/indexeddb.ts';
import { lazyIndexedDbLayer, lazyPictureBytes, type PageIndexedDbLayer } from './layers/indexeddb-lazy.ts';
import type { Layer } from './layers/layer.ts';
import { createLocalStorageLayer } from './layers/local-storage.ts';
import { createMemoryLayer } from './layers/memory.ts';
import type { PictureBytes } from './picture-bytes.ts';
import { createTickBatcher } from './tick-batcher.ts';
import type { MetaLayer, PictureMonitor, PictureSource, Resolution, ResolutionReport } from './types.ts';

export interface PictureStoreOptions {
  /** Where the image service's API is (default `/api`). */
  apiBase?: string;
  /** Log every layer's hits and misses to the console (`[ImageCache] …`). */
  debug?: boolean;
  /** Users kept in memory (default 500). */
  memorySize?: number;
  /** LocalStorage, or `null` to turn that layer off (default: the page's, when it has one). */
  localStorage?: Storage | null;
  /** The IndexedDB layer, or `null` to turn it off (default: a shared database). */
  indexedDB?: IndexedDbLayer | null;
  /** Receives every resolution (the dashboard's monitor). */
  monitor?: PictureMonitor;
  /** Tell the other tabs of this origin about invalidations (default true where BroadcastChannel exists). */
  broadcast?: boolean;
  /** Listen to `{apiBase}/events` so an upload anywhere updates this page (default false). */
  events?: boolean;
  now?: () => number;
  fetch?: typeof fetch;
}

/** How long each layer may answer with an entry. */
const TTL = { memory: 30 * 60_000, localStorage: 45 * 60_000, indexedDB: 7 * 24 * 60 * 60_000 } as const;
/** "No picture" is re-asked sooner: the user may upload one. */
const ABSENT_TTL_MS = 5 * 60_000;

/** What the store has done since it was made, for `store.stats()` and the dashboard. */
export interface StoreStats {
  /** Resolutions answered by each layer. */
  hits: Record<MetaLayer, number>;
  /** Metadata requests sent to the service (each up to 100 users). */
  requests: number;
  /** Object URLs alive now. */
  objectUrls: number;
  /** Whether the IndexedDB layer is on (off: no IndexedDB, private mode, or its module could not be loaded). */
  indexedDB: boolean;
}

/**
 * The page's picture store: which picture is current for each user (memory → LocalStorage → IndexedDB → one
 * batched request), and where its bytes come from (the stable URL, so the browser's HTTP cache serves it; the Blob kept
 * in IndexedDB when the URL cannot be used). One per page, shared by every element through context.
 *
 * It coordinates: the layers keep entries (layers/), the batcher shares requests (tick-batcher.ts), invalidations
 * travel through invalidation.ts, and the bytes are kept and shown by picture-bytes.ts; the store decides the order,
 * the TTLs and what each answer fills.
 *
 * @example
 * const store = new PictureStore({ apiBase: '/api' });
 * await store.prefetch(friends.map((f) => f.id)); // one request for the whole list
 * store.peek('ada')?.meta?.url;                  // now answered synchronously
 */
export class PictureStore implements PictureSource {
  readonly apiBase: string;
  /** Fastest first: those answering in the same task (which `peek` walks), then those read in batches. */
  readonly #layers: readonly Layer[];
  readonly #idb: PageIndexedDbLayer | null;
  readonly #bytes: PictureBytes;
  /** Tells the other tabs and the service worker (invalidation.ts). */
  readonly #tell: (invalidation: Invalidation) => void;
  /** Aborted by `close()`: every listener, channel and timer of the store and its modules goes with it. */
  readonly #closed = new AbortController();
  readonly #monitor?: PictureMonitor;
  readonly #debug: boolean;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #watchers = new Map<string, Set<(resolution: Resolution) => void>>();
  readonly #stats = { hits: { memory: 0, localStorage: 0, indexedDB: 0, network: 0 }, requests: 0 };
  /** Bumped by every invalidation of a user: an answer asked for before it must not fill the layers after it. */
  readonly #generations = new Map<string, number>();
  readonly #resolve: (userId: string) => Promise<Resolution>;
  readonly #refresh: (userId: string) => Promise<Resolution>;

  constructor(options: PictureStoreOptions = {}) {
    this.apiBase = (options.apiBase ?? '/api').replace(/\/$/, '');
    this.#debug = options.debug ?? false;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#monitor = options.monitor;
    const log = (message: string) => this.#log(message);
    // One database per image service: the same user id on two services is two people.
    this.#idb =
      options.indexedDB === undefined
        ? lazyIndexedDbLayer({ debug: this.#debug, dbName: `cached-profile-pictures ${this.apiBase}` })
        : options.indexedDB;
    const layers: Layer[] = [
      createMemoryLayer(options.memorySize),
      createLocalStorageLayer({ storage: options.localStorage, log, namespace: this.apiBase }),
    ];
    if (this.#idb) layers.push(this.#idb);
    this.#layers = layers;
    const { signal } = this.#closed;
    this.#bytes = lazyPictureBytes(this.#idb, this.#fetch, signal);
    this.#resolve = createTickBatcher((userIds) => this.#fromLayersThenNetwork(userIds));
    this.#refresh = createTickBatcher((userIds) => this.#fromNetwork(userIds, performance.now()));
    // Writes wait for idle time; a page that is going away writes them now.
    addEventListener('pagehide', () => void this.#idb?.flush(), { signal });
    // What failed while offline is asked again for the elements still showing it.
    addEventListener('online', () => this.#refreshWatched(), { signal });
    this.#tell = connectInvalidations(this.apiBase, options, log, signal, (invalidation) => {
      if (invalidation?.type === 'invalidate') void this.#invalidateHere(invalidation.userId);
      if (invalidation?.type === 'clear') void this.#clearHere();
    });
  }

  peek(userId: string): Resolution | undefined {
    const start = performance.now();
    const now = this.#now();
    const layers = this.#layers;
    // Indexed loops: this runs for every tag on a reload, before anything is optimized, and allocates nothing.
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (!layer.get) break;
      const entry = layer.get(userId, now);
      if (!entry) continue;
      // The faster layers that missed it get it as it is: they answer for no longer than this one would.
      for (let faster = 0; faster < i; faster++) layers[faster]!.put(userId, entry);
      return this.#answer(userId, entry.meta, layer.name, start);
    }
    return undefined;
  }

  get(userId: string): Promise<Resolution> {
    // The service refuses a whole batch for one bad id: refuse it here, alone.
    if (!USER_ID_PATTERN.test(userId))
      return this.#failed(userId, new Error(`Invalid user id ${JSON.stringify(userId)}`), performance.now());
    const start = performance.now();
    return Promise.resolve(
      this.peek(userId) ?? this.#resolve(userId).catch((error: Error) => this.#failed(userId, error, start)),
    );
  }

  /** Reports a failed resolution to the monitor, and rejects with its error. */
  #failed(userId: string, error: Error, start: number): Promise<never> {
    this.report({ userId, layer: 'network', ms: performance.now() - start, error: error.message });
    return Promise.reject(error);
  }

  /** Resolves many users with one IndexedDB transaction and at most one request per 100 unknown users. */
  async prefetch(userIds: readonly string[]): Promise<void> {
    await Promise.all(userIds.map((userId) => this.get(userId)));
  }

  watch(userId: string, listener: (resolution: Resolution) => void): () => void {
    let set = this.#watchers.get(userId);
    if (!set) this.#watchers.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.#watchers.delete(userId);
    };
  }

  /**
   * Forgets the user everywhere (every layer, every tab, the service worker's cache), then re-resolves it for the
   * elements showing it.
   */
  async invalidate(userId: string): Promise<void> {
    this.#tell({ type: 'invalidate', userId });
    await this.#invalidateHere(userId);
  }

  /** Empties every layer of this origin, and the service worker's picture cache. */
  async clear(): Promise<void> {
    this.#tell({ type: 'clear' });
    await this.#clearHere();
  }

  /** Stops listening to other tabs and to the service's events. */
  close(): void {
    this.#closed.abort();
  }

  stats(): StoreStats {
    return {
      hits: { ...this.#stats.hits },
      requests: this.#stats.requests,
      objectUrls: this.#bytes.objectUrls,
      indexedDB: this.#idb?.enabled ?? false,
    };
  }

  acquireBlobUrl(meta: PictureMeta): Promise<string | undefined> {
    return this.#bytes.acquireBlobUrl(meta);
  }

  releaseBlobUrl(meta: PictureMeta): void {
    this.#bytes.releaseBlobUrl(meta);
  }

  loaded({ userId, layer, meta }: Resolution, ms: number, url = meta?.url): void {
    if (!meta || !url) return;
    const source = byteOriginOf(url);
    const fetched = source === 'network' || source === 'unknown';
    const bytes = meta.variants?.find((variant) => variant.url === url)?.bytes ?? meta.bytes;
    this.report({ userId, layer, source, ms, bytesSaved: fetched ? 0 : bytes });
    this.#bytes.keepBytes(meta, url);
  }

  /**
   * Keeps the bytes of the pictures shown so far in IndexedDB now (for offline use and expired URLs), instead of
   * when the page is next hidden or quiet. Resolves once they are fetched and queued for writing.
   */
  keepBytesNow(): Promise<void> {
    return this.#bytes.keepBytesNow();
  }

  report(report: ResolutionReport): void {
    this.#monitor?.record(report);
  }

  #answer(userId: string, meta: PictureMeta | null, layer: MetaLayer, start: number): Resolution {
    this.#stats.hits[layer]++;
    // The IndexedDB layer logs its own hits and misses.
    if (layer !== 'indexedDB')
      this.#log(
        `[ImageCache] ${layer[0]!.toUpperCase() + layer.slice(1)} ${layer === 'network' ? 'answered' : 'HIT'} for user ${userId}`,
      );
    const resolution = { userId, meta, layer, urlUsable: urlUsable(meta, this.#now()), ms: performance.now() - start };
    this.report({ userId, layer, ms: resolution.ms, stale: !resolution.urlUsable });
    return resolution;
  }

  /** The layers read in batches (after `peek`'s missed), then the network for the users none of them knows. */
  async #fromLayersThenNetwork(userIds: string[]): Promise<Map<string, Resolution>> {
    const start = performance.now();
    const answers = new Map<string, Resolution>();
    let unknown = userIds;
    for (let i = 0; i < this.#layers.length; i++) {
      const layer = this.#layers[i]!;
      if (!layer.getMany) continue;
      const found = await layer.getMany(unknown, this.#now());
      const missed: string[] = [];
      for (const userId of unknown) {
        const entry = found.get(userId);
        if (!entry) {
          missed.push(userId);
          continue;
        }
        const resolution = this.#answer(userId, entry.meta, layer.name, start);
        if (resolution.urlUsable) this.#fill(userId, entry.meta, i);
        // The version is known but its URL is not usable: show the Blob meanwhile, and ask for a fresh URL.
        else
          void this.#refresh(userId).then(
            (fresh) => this.#notify(fresh),
            () => {},
          );
        answers.set(userId, resolution);
      }
      unknown = missed;
    }
    if (!unknown.length) return answers;
    try {
      for (const [userId, resolution] of await this.#fromNetwork(unknown, start)) answers.set(userId, resolution);
    } catch (error) {
      // Offline: what the layers knew is still answered; only the unknown users fail.
      if (!answers.size) throw error;
      this.#log(`[ImageCache] the service cannot be reached: ${(error as Error).message}`);
    }
    return answers;
  }

  /**
   * The network, after every layer. Not a {@link Layer}: it is the source of truth, with nothing to put, delete or
   * clear; a failure there is an error, not a miss; and its answers are checked against the invalidations made while
   * they were out.
   */
  async #fromNetwork(userIds: string[], start: number): Promise<Map<string, Resolution>> {
    this.#stats.requests += Math.ceil(userIds.length / 100);
    const asked = new Map(userIds.map((userId) => [userId, this.#generations.get(userId) ?? 0]));
    const pictures = await fetchPictures(this.apiBase, userIds, this.#fetch);
    const answers = new Map<string, Resolution>();
    for (const [userId, meta] of pictures) {
      // Invalidated while this request was out: its answer may be the old picture, so ask again (directly: the
      // batcher would hand back this very request).
      if ((this.#generations.get(userId) ?? 0) !== asked.get(userId)) {
        const fresh = (await this.#fromNetwork([userId], start)).get(userId);
        if (fresh) answers.set(userId, fresh);
        continue;
      }
      this.#fill(userId, meta, this.#layers.length);
      answers.set(userId, this.#answer(userId, meta, 'network', start));
    }
    return answers;
  }

  /**
   * Writes what was learned into the first `count` layers, each with its own TTL. A synchronous answer is never
   * refreshed, so memory and LocalStorage never hold a URL past its usable life; IndexedDB does, and shows the kept
   * Blob while a fresh URL is fetched.
   */
  #fill(userId: string, meta: PictureMeta | null, count: number): void {
    const now = this.#now();
    const urlLimit = meta ? meta.expiresAt - URL_MARGIN_MS : Infinity;
    for (let i = 0; i < count; i++) {
      const layer = this.#layers[i]!;
      layer.put(userId, {
        meta,
        freshUntil: Math.min(now + (meta ? TTL[layer.name] : ABSENT_TTL_MS), layer.get ? urlLimit : Infinity),
      });
    }
  }

  async #invalidateHere(userId: string): Promise<void> {
    this.#generations.set(userId, (this.#generations.get(userId) ?? 0) + 1);
    await Promise.all(this.#layers.map((layer) => layer.delete(userId)));
    if (!this.#watchers.has(userId)) return;
    try {
      this.#notify(await this.#refresh(userId));
    } catch (error) {
      this.#log(`[ImageCache] could not refresh user ${userId}: ${(error as Error).message}`);
    }
  }

  async #clearHere(): Promise<void> {
    const cleared = Promise.all(this.#layers.map((layer) => layer.clear()));
    this.#bytes.clear();
    await cleared;
    this.#refreshWatched();
  }

  /** Asks again for every user an element shows, and tells those elements what it is now. */
  #refreshWatched(): void {
    for (const userId of this.#watchers.keys())
      void this.#refresh(userId).then(
        (fresh) => this.#notify(fresh),
        () => {},
      );
  }

  #notify(resolution: Resolution): void {
    for (const listener of this.#watchers.get(resolution.userId) ?? []) listener(resolution);
  }

  #log(message: string): void {
    if (this.#debug) console.log(message);
  }
}
