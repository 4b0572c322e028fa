import { USER_ID_PATTERN, type PictureChangedEvent, type PictureMeta } from '../../contract/picture.ts';
import type { WorkerRequest } from '../../sw/messages.ts';
import { byteOriginOf } from '../monitor/byte-origin.ts';
import { URL_MARGIN_MS, urlUsable, type CachedEntry, type SyncLayer } from './entry.ts';
import { fetchPictures } from './fetch-pictures.ts';
import { whenIdle } from './idle.ts';
import type { IndexedDbLayer } from './layers/indexeddb.ts';
import { lazyIndexedDbLayer } from './layers/indexeddb-lazy.ts';
import { createLocalStorageLayer } from './layers/local-storage.ts';
import { createMemoryLayer } from './layers/memory.ts';
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
const CHANNEL = 'cached-profile-pictures';
/** A page that has shown no new picture for this long is browsing what it has: its bytes are kept then. */
const KEEP_WHEN_QUIET_MS = 30_000;

type InvalidateMessage = { type: 'invalidate'; userId: string } | { type: 'clear' };

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
 * The page's picture store: which picture is current for each user (memory → LocalStorage → IndexedDB → one batched
 * request), and where its bytes come from (the stable URL, so the browser's HTTP cache serves it; the Blob kept in
 * IndexedDB when the URL cannot be used). One per page, shared by every element through context.
 *
 * @example
 * const store = new PictureStore({ apiBase: '/api' });
 * await store.prefetch(friends.map((f) => f.id)); // one request for the whole list
 * store.peek('ada')?.meta?.url;                  // now answered synchronously
 */
export class PictureStore implements PictureSource {
  readonly apiBase: string;
  readonly #memory: SyncLayer;
  readonly #local: SyncLayer;
  readonly #idb: IndexedDbLayer | null;
  readonly #monitor?: PictureMonitor;
  readonly #debug: boolean;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #channel?: BroadcastChannel;
  readonly #events?: EventSource;
  readonly #watchers = new Map<string, Set<(resolution: Resolution) => void>>();
  readonly #objectUrls = new Map<string, { url: string; users: number }>();
  readonly #keptVersions = new Set<string>();
  /** Versions whose bytes are to be kept, each with the URL of the copy the page showed. */
  readonly #toKeep = new Map<string, { version: string; url: string }>();
  readonly #stats = { hits: { memory: 0, localStorage: 0, indexedDB: 0, network: 0 }, requests: 0 };
  /** Bumped by every invalidation of a user: an answer asked for before it must not fill the layers after it. */
  readonly #generations = new Map<string, number>();
  readonly #onPageHide = () => void this.#idb?.flush();
  readonly #onHidden = () => document.visibilityState === 'hidden' && void this.keepBytesNow();
  #keepTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onOnline = () => this.#refreshWatched();
  readonly #resolve: (userId: string) => Promise<Resolution>;
  readonly #refresh: (userId: string) => Promise<Resolution>;

  constructor(options: PictureStoreOptions = {}) {
    this.apiBase = (options.apiBase ?? '/api').replace(/\/$/, '');
    this.#debug = options.debug ?? false;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#monitor = options.monitor;
    const log = (message: string) => this.#log(message);
    this.#memory = createMemoryLayer(options.memorySize);
    this.#local = createLocalStorageLayer({ storage: options.localStorage, log, namespace: this.apiBase });
    // One database per image service: the same user id on two services is two people.
    this.#idb = options.indexedDB === undefined ? lazyIndexedDbLayer({ debug: this.#debug, dbName: `cached-profile-pictures ${this.apiBase}` }) : options.indexedDB;
    this.#resolve = createTickBatcher((userIds) => this.#fromIndexedDbThenNetwork(userIds));
    this.#refresh = createTickBatcher((userIds) => this.#fromNetwork(userIds, performance.now()));
    // Writes wait for idle time; a page that is going away writes them now.
    addEventListener('pagehide', this.#onPageHide);
    // Bytes are kept while nobody looks (see #keepBytes).
    addEventListener('visibilitychange', this.#onHidden);
    // What failed while offline is asked again for the elements still showing it.
    addEventListener('online', this.#onOnline);
    if ((options.broadcast ?? true) && typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(CHANNEL);
      this.#channel.onmessage = ({ data }: MessageEvent<InvalidateMessage>) => {
        if (data?.type === 'invalidate') void this.#invalidateHere(data.userId);
        if (data?.type === 'clear') void this.#clearHere();
      };
    }
    if (options.events && typeof EventSource === 'function') {
      this.#events = new EventSource(`${this.apiBase}/events`);
      this.#events.addEventListener('picture-changed', (event) => {
        let changed: PictureChangedEvent | undefined;
        try {
          changed = JSON.parse((event as MessageEvent<string>).data) as PictureChangedEvent;
        } catch {
          return this.#log('[ImageCache] ignored a malformed picture-changed event');
        }
        if (typeof changed?.userId === 'string') void this.#invalidateHere(changed.userId);
      });
    }
  }

  peek(userId: string): Resolution | undefined {
    const start = performance.now();
    const now = this.#now();
    let entry = this.#memory.get(userId, now);
    let layer: MetaLayer = 'memory';
    if (!entry) {
      entry = this.#local.get(userId, now);
      layer = 'localStorage';
      if (entry) this.#memory.set(userId, entry);
    }
    if (!entry) return undefined;
    return this.#answer(userId, entry.meta, layer, start);
  }

  get(userId: string): Promise<Resolution> {
    // The service refuses a whole batch for one bad id: refuse it here, alone.
    if (!USER_ID_PATTERN.test(userId)) return this.#failed(userId, new Error(`Invalid user id ${JSON.stringify(userId)}`), performance.now());
    const start = performance.now();
    return Promise.resolve(this.peek(userId) ?? this.#resolve(userId).catch((error: Error) => this.#failed(userId, error, start)));
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
    this.#channel?.postMessage({ type: 'invalidate', userId } satisfies InvalidateMessage);
    this.#tellWorker({ type: 'invalidate', userId });
    await this.#invalidateHere(userId);
  }

  /** Empties every layer of this origin, and the service worker's picture cache. */
  async clear(): Promise<void> {
    this.#channel?.postMessage({ type: 'clear' } satisfies InvalidateMessage);
    this.#tellWorker({ type: 'clear' });
    await this.#clearHere();
  }

  /**
   * The service worker controlling the page, if any, does the same. Nothing waits for it: a version is a content hash,
   * so what it still serves meanwhile is never the wrong picture.
   */
  #tellWorker(request: WorkerRequest): void {
    globalThis.navigator?.serviceWorker?.controller?.postMessage(request);
  }

  /** Stops listening to other tabs and to the service's events. */
  close(): void {
    this.#channel?.close();
    this.#events?.close();
    removeEventListener('pagehide', this.#onPageHide);
    removeEventListener('visibilitychange', this.#onHidden);
    clearTimeout(this.#keepTimer);
    removeEventListener('online', this.#onOnline);
  }

  stats(): StoreStats {
    return { hits: { ...this.#stats.hits }, requests: this.#stats.requests, objectUrls: this.#objectUrls.size, indexedDB: this.#idb?.enabled ?? false };
  }

  async acquireBlobUrl(meta: PictureMeta): Promise<string | undefined> {
    const shown = this.#objectUrls.get(meta.version);
    if (shown) {
      shown.users++;
      return shown.url;
    }
    const blob = await this.#idb?.getBlob(meta.version);
    if (!blob) return undefined;
    // Another caller may have made it while this one waited for IndexedDB.
    const raced = this.#objectUrls.get(meta.version);
    if (raced) {
      raced.users++;
      return raced.url;
    }
    const url = URL.createObjectURL(blob);
    this.#objectUrls.set(meta.version, { url, users: 1 });
    return url;
  }

  releaseBlobUrl(meta: PictureMeta): void {
    const shown = this.#objectUrls.get(meta.version);
    if (!shown || --shown.users > 0) return;
    URL.revokeObjectURL(shown.url);
    this.#objectUrls.delete(meta.version);
  }

  loaded({ userId, layer, meta }: Resolution, ms: number, url = meta?.url): void {
    if (!meta || !url) return;
    const source = byteOriginOf(url);
    const fetched = source === 'network' || source === 'unknown';
    const bytes = meta.variants?.find((variant) => variant.url === url)?.bytes ?? meta.bytes;
    this.report({ userId, layer, source, ms, bytesSaved: fetched ? 0 : bytes });
    this.#keepBytes(meta, url);
  }

  report(report: ResolutionReport): void {
    this.#monitor?.record(report);
  }

  #answer(userId: string, meta: PictureMeta | null, layer: MetaLayer, start: number): Resolution {
    this.#stats.hits[layer]++;
    // The IndexedDB layer logs its own hits and misses.
    if (layer !== 'indexedDB') this.#log(`[ImageCache] ${layer[0]!.toUpperCase() + layer.slice(1)} ${layer === 'network' ? 'answered' : 'HIT'} for user ${userId}`);
    const resolution = { userId, meta, layer, urlUsable: urlUsable(meta, this.#now()), ms: performance.now() - start };
    this.report({ userId, layer, ms: resolution.ms, stale: !resolution.urlUsable });
    return resolution;
  }

  async #fromIndexedDbThenNetwork(userIds: string[]): Promise<Map<string, Resolution>> {
    const start = performance.now();
    const found = (await this.#idb?.getMany(userIds, this.#now())) ?? new Map<string, CachedEntry>();
    const answers = new Map<string, Resolution>();
    const unknown: string[] = [];
    for (const userId of userIds) {
      const entry = found.get(userId);
      if (!entry) {
        unknown.push(userId);
        continue;
      }
      const resolution = this.#answer(userId, entry.meta, 'indexedDB', start);
      if (resolution.urlUsable) this.#fillSync(userId, entry.meta);
      // The version is known but its URL is not usable: show the Blob meanwhile, and ask for a fresh URL.
      else void this.#refresh(userId).then((fresh) => this.#notify(fresh), () => {});
      answers.set(userId, resolution);
    }
    if (!unknown.length) return answers;
    try {
      for (const [userId, resolution] of await this.#fromNetwork(unknown, start)) answers.set(userId, resolution);
    } catch (error) {
      // Offline: what IndexedDB knew is still answered; only the unknown users fail.
      if (!answers.size) throw error;
      this.#log(`[ImageCache] the service cannot be reached: ${(error as Error).message}`);
    }
    return answers;
  }

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
      this.#fillSync(userId, meta);
      this.#idb?.put(userId, { meta, freshUntil: this.#now() + (meta ? TTL.indexedDB : ABSENT_TTL_MS) });
      answers.set(userId, this.#answer(userId, meta, 'network', start));
    }
    return answers;
  }

  /** Memory and LocalStorage never hold a URL past its usable life. */
  #fillSync(userId: string, meta: PictureMeta | null): void {
    const now = this.#now();
    const urlLimit = meta ? meta.expiresAt - URL_MARGIN_MS : Infinity;
    const ttl = (layer: number) => Math.min(now + (meta ? layer : ABSENT_TTL_MS), urlLimit);
    this.#memory.set(userId, { meta, freshUntil: ttl(TTL.memory) });
    this.#local.set(userId, { meta, freshUntil: ttl(TTL.localStorage) });
  }

  /**
   * Keeps the shown picture's bytes in IndexedDB (the copy at `url`, the one the page showed), once per version
   * ever, but only when the page is hidden or has shown no new picture for a while: the fetch is answered by the
   * HTTP cache, yet it replaces the decoded image in the page's memory cache, and the next element showing that
   * picture waits for a new decode (measured: 50 pictures shown again in the same page took 64–124 ms right after
   * being kept, 2–4 ms otherwise).
   */
  #keepBytes(meta: PictureMeta, url: string): void {
    if (!this.#idb?.enabled || this.#keptVersions.has(meta.version)) return;
    this.#keptVersions.add(meta.version);
    this.#toKeep.set(meta.version, { version: meta.version, url });
    clearTimeout(this.#keepTimer);
    this.#keepTimer = setTimeout(() => whenIdle(() => void this.keepBytesNow()), KEEP_WHEN_QUIET_MS);
  }

  /**
   * Keeps the bytes of the pictures shown so far in IndexedDB now (for offline use and expired URLs), instead of
   * when the page is next hidden or quiet. Resolves once they are fetched and queued for writing.
   */
  async keepBytesNow(): Promise<void> {
    clearTimeout(this.#keepTimer);
    if (!this.#toKeep.size) return;
    const queued = [...this.#toKeep.values()];
    this.#toKeep.clear();
    // One that could not be fetched is kept when it is next shown.
    for (const version of await this.#idb!.keepBytes(queued, this.#fetch)) this.#keptVersions.delete(version);
  }

  async #invalidateHere(userId: string): Promise<void> {
    this.#generations.set(userId, (this.#generations.get(userId) ?? 0) + 1);
    this.#memory.delete(userId);
    this.#local.delete(userId);
    await this.#idb?.delete(userId);
    if (!this.#watchers.has(userId)) return;
    try {
      this.#notify(await this.#refresh(userId));
    } catch (error) {
      this.#log(`[ImageCache] could not refresh user ${userId}: ${(error as Error).message}`);
    }
  }

  async #clearHere(): Promise<void> {
    this.#memory.clear();
    this.#local.clear();
    this.#keptVersions.clear();
    // Object URLs shown now stay valid: the elements showing them release them.
    await this.#idb?.clear();
    this.#refreshWatched();
  }

  /** Asks again for every user an element shows, and tells those elements what it is now. */
  #refreshWatched(): void {
    for (const userId of this.#watchers.keys()) void this.#refresh(userId).then((fresh) => this.#notify(fresh), () => {});
  }

  #notify(resolution: Resolution): void {
    for (const listener of this.#watchers.get(resolution.userId) ?? []) listener(resolution);
  }

  #log(message: string): void {
    if (this.#debug) console.log(message);
  }

}
