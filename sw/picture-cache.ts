import { isRasterType } from '../elements/store/trusted.ts';
import { freshUntil, overBounds, toFree, type Bounds, type PictureEntry } from './expiration.ts';
import { SERVER_TIMING_NAME, type WorkerCacheStats } from './messages.ts';
import type { PictureIndex } from './picture-index.ts';
import { pictureRequest, type PictureRequest } from './picture-requests.ts';

export interface PictureCacheOptions extends Bounds {
  cacheName: string;
  index: PictureIndex;
  maxAgeSeconds: number;
  now?: () => number;
}

/** `event.waitUntil`, or a stand-in that lets the work run when there is no event. */
export type WaitUntil = (work: Promise<unknown>) => void;

/**
 * Hits are written to the index this long after the first of a burst (see PictureIndex.flush): long enough for a page
 * of pictures, short because the wait extends the fetch events, and an update waits for those to end.
 */
const HIT_WRITE_DELAY_MS = 200;
/** Headers that would stop a stored answer from matching its key, or that a later answer must not repeat. */
const DROPPED_HEADERS = ['vary', 'set-cookie', 'date', 'age'];
/**
 * What the index knows, written on the stored answer too: the Cache API alone tells it all again when the index is
 * gone (the worker's IndexedDB cleared with the page's, say), so a cleared index never costs a picture.
 */
const STORED = { at: 'x-sw-stored-at', freshUntil: 'x-sw-fresh-until', bytes: 'x-sw-bytes' } as const;

/**
 * Cache-first pictures in the Cache API: fresh entries answer without the network; expired ones are fetched again,
 * and still answered when the network fails. Bounded by count and bytes, least recently used out first; a full
 * disk evicts the oldest pictures, never the whole cache.
 */
export class PictureCache {
  readonly #options: PictureCacheOptions;
  readonly #index: PictureIndex;
  readonly #now: () => number;
  #cache: Promise<Cache> | undefined;
  /** Pictures being kept: the figures, invalidations and clearing wait for them, so none lands after them. */
  readonly #keeping = new Map<Promise<void>, string>();

  constructor(options: PictureCacheOptions) {
    this.#options = options;
    this.#index = options.index;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The answer to a picture request: fresh from the cache, else the network (kept), else stale from the cache. Only a
   * raster image is answered (trusted.ts): anything else, from the network or a tampered cache, is a network error.
   * It does not wait for the index to be read: a stored answer describes itself, and its use is recorded as any other.
   */
  async respond(request: Request, picture: PictureRequest, waitUntil: WaitUntil): Promise<Response> {
    const cache = await this.#open();
    const now = this.#now();
    let cached = await cache.match(picture.key);
    if (cached && !isPicture(cached)) {
      waitUntil(this.#drop([picture.key]));
      cached = undefined;
    }
    // Before the index is read too: the stored answer tells what the disk would, and the load keeps what is set now.
    const entry = this.#index.get(picture.key) ?? (cached && this.#reindex(picture.key, cached));
    if (cached && entry && entry.expiresAt > now) {
      this.#used(picture.key, 'hits', now, waitUntil);
      return cached;
    }
    let response: Response;
    try {
      response = await fetchPicture(request);
    } catch (error) {
      if (!cached) throw error;
      this.#used(picture.key, 'stale', now, waitUntil);
      return cached;
    }
    if (response.status >= 500 && cached) {
      this.#used(picture.key, 'stale', now, waitUntil);
      return cached;
    }
    // Gone from the service: never served again.
    if (response.status === 404 || response.status === 410) waitUntil(this.#drop([picture.key]));
    // An opaque answer (a host that refused CORS) cannot be read, so it is passed on and never kept.
    if (!response.ok || response.type === 'opaque') return response;
    if (!isPicture(response)) return Response.error();
    this.#index.count('misses');
    waitUntil(this.#track(picture.key, this.#keep(picture, response.clone(), now)));
    return withServerTiming(response, 'miss');
  }

  /** Fetches and keeps a picture the page showed before the worker controlled it; nothing when already kept. */
  async warm(url: string, picture: PictureRequest): Promise<void> {
    await this.#index.ready;
    if (await (await this.#open()).match(picture.key)) return;
    const response = await fetchPicture(new Request(url));
    if (response.ok && response.type !== 'opaque')
      await this.#track(picture.key, this.#keep(picture, response, this.#now()));
  }

  async stats(): Promise<WorkerCacheStats> {
    await this.#settled();
    const now = this.#now();
    let valid = 0;
    let bytes = 0;
    for (const entry of this.#index.values()) {
      if (entry.expiresAt > now) valid++;
      bytes += entry.bytes;
    }
    return {
      totalEntries: this.#index.size,
      validEntries: valid,
      expiredEntries: this.#index.size - valid,
      totalSizeKB: Math.round(bytes / 1024),
      totalSizeMB: (bytes / (1024 * 1024)).toFixed(2),
    };
  }

  /** Drops every picture `matches` accepts; answers how many. */
  async invalidate(matches: (picture: Pick<PictureEntry, 'userId' | 'version'>) => boolean): Promise<number> {
    await this.#settled();
    // Keys the index lost track of are matched by their path, so nothing of the user is left to serve.
    const keys = (await (await this.#open()).keys())
      .map((request) => request.url)
      .filter((key) => {
        const entry = this.#index.get(key) ?? pictureRequest(new URL(key));
        return entry !== undefined && matches(entry);
      });
    await this.#drop(keys);
    return keys.length;
  }

  /** Empties the cache and its counters. */
  async clear(): Promise<void> {
    await this.#settled();
    this.#index.clear();
    this.#cache = undefined;
    await caches.delete(this.#options.cacheName);
    await this.#index.flush();
  }

  /**
   * Makes the index and the Cache API agree (a worker stopped between the two writes leaves one without the other),
   * then drops what is over the bounds. Runs on activation, on a timer, and now and then after a request.
   */
  async cleanup(): Promise<void> {
    await this.#index.ready;
    const cache = await this.#open();
    const stored = new Set((await cache.keys()).map((request) => request.url));
    for (const entry of [...this.#index.values()]) if (!stored.has(entry.key)) this.#index.delete(entry.key);
    // A picture being kept is in the cache a moment before it is in the index: not an orphan.
    const keeping = new Set(this.#keeping.values());
    const unknown = [...stored].filter((key) => !this.#index.get(key) && !keeping.has(key));
    await Promise.all(
      unknown.map(async (key) => {
        const response = await cache.match(key);
        if (!response || !this.#reindex(key, response)) await cache.delete(key);
      }),
    );
    await this.#drop(overBounds(this.#index.values(), this.#options, this.#now()).map((entry) => entry.key));
  }

  #track(key: string, keeping: Promise<void>): Promise<void> {
    this.#keeping.set(keeping, key);
    return keeping.finally(() => this.#keeping.delete(keeping));
  }

  /** Resolves once the index is loaded and no picture is being kept. */
  async #settled(): Promise<void> {
    await this.#index.ready;
    while (this.#keeping.size) await Promise.allSettled(this.#keeping.keys());
  }

  /** The entry a stored answer describes, put back in the index; `undefined` for an answer the worker did not store. */
  #reindex(key: string, response: Response): PictureEntry | undefined {
    const picture = pictureRequest(new URL(key));
    const [storedAt, expiresAt, bytes] = [STORED.at, STORED.freshUntil, STORED.bytes].map((name) =>
      Number(response.headers.get(name) ?? NaN),
    );
    if (!picture || ![storedAt, expiresAt, bytes].every(Number.isFinite)) return undefined;
    const entry = { ...picture, key, bytes: bytes!, storedAt: storedAt!, expiresAt: expiresAt!, lastUsed: storedAt! };
    this.#index.set(entry);
    return entry;
  }

  #used(key: string, counter: 'hits' | 'stale', now: number, waitUntil: WaitUntil): void {
    this.#index.touch(key, now);
    this.#index.count(counter);
    waitUntil(this.#index.flush(HIT_WRITE_DELAY_MS));
  }

  /** Keeps a picture the service marked cacheable (see `freshUntil`), and only a raster image. */
  async #keep(picture: PictureRequest, response: Response, now: number): Promise<void> {
    // The bounds, and what a full disk evicts, count every entry: those on disk too.
    await this.#index.ready;
    const expiresAt = freshUntil(now, response.headers.get('cache-control'), this.#options.maxAgeSeconds);
    if (expiresAt === undefined || !isPicture(response)) return;
    const body = await response.arrayBuffer();
    const headers = new Headers(response.headers);
    for (const name of DROPPED_HEADERS) headers.delete(name);
    headers.set(STORED.at, String(now));
    headers.set(STORED.freshUntil, String(expiresAt));
    headers.set(STORED.bytes, String(body.byteLength));
    const stored = () =>
      withServerTiming(new Response(body, { status: 200, statusText: response.statusText, headers }), 'hit');
    if (!(await this.#put(picture.key, stored, body.byteLength, now))) return;
    this.#index.set({
      key: picture.key,
      userId: picture.userId,
      version: picture.version,
      bytes: body.byteLength,
      storedAt: now,
      expiresAt,
      lastUsed: now,
    });
    await this.#drop(overBounds(this.#index.values(), this.#options, now).map((entry) => entry.key));
  }

  /**
   * `cache.put`, making room when the disk is full: the oldest pictures go, as many as the new one needs, twice at
   * most.
   */
  async #put(key: string, response: () => Response, bytes: number, now: number): Promise<boolean> {
    const cache = await this.#open();
    for (let attempt = 0; ; attempt++) {
      try {
        await cache.put(key, response());
        return true;
      } catch (error) {
        const victims =
          (error as DOMException).name === 'QuotaExceededError' && attempt < 2
            ? toFree(
                [...this.#index.values()].filter((entry) => entry.key !== key),
                bytes * 2 ** (attempt + 1),
                now,
              )
            : [];
        if (!victims.length) {
          console.warn(`[ImageCache] service worker: could not keep ${key}: ${(error as Error).message}`);
          return false;
        }
        await this.#drop(victims.map((entry) => entry.key));
      }
    }
  }

  /** Forgets the keys at once (a request after this call misses), then deletes their bytes. */
  async #drop(keys: string[]): Promise<void> {
    if (!keys.length) return;
    for (const key of keys) this.#index.delete(key);
    const cache = await this.#open();
    await Promise.all(keys.map((key) => cache.delete(key)));
    await this.#index.flush();
  }

  #open(): Promise<Cache> {
    return (this.#cache ??= caches.open(this.#options.cacheName));
  }
}

/**
 * The picture from the network. On another origin (the image service on a host of its own, a CDN in front of it) it
 * is asked with CORS, so the answer's size is known and it can be kept; a host that does not allow it gets the page's
 * own request, answered but not kept.
 */
async function fetchPicture(request: Request): Promise<Response> {
  if (new URL(request.url).origin === self.location.origin) return fetch(request);
  try {
    return await fetch(request.url, { mode: 'cors', credentials: 'omit' });
  } catch {
    return fetch(request);
  }
}

/** Whether `response` is a raster image (never SVG or HTML, which could run script when opened). */
function isPicture(response: Response): boolean {
  return isRasterType(response.headers.get('content-type'));
}

/** The response with its `Server-Timing` entry, readable by the page even for another origin's URL. */
function withServerTiming(response: Response, desc: 'hit' | 'miss'): Response {
  const headers = new Headers(response.headers);
  headers.set('Server-Timing', `${SERVER_TIMING_NAME};desc=${desc}`);
  headers.set('Timing-Allow-Origin', '*');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
