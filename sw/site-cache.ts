import type { WaitUntil } from './picture-cache.ts';

/** How a file of the site is answered. */
export type SiteStrategy = 'network-first' | 'cache-first';

/** The drop-in bundle and `swManager`'s module, on whatever origin serves them: fresh when online, kept for offline. */
const NETWORK_FIRST_FILES = /^\/(cached-profile-picture|sw-registration)\.js$/;
/** The bundle's modules named by their content hash: they never change. */
const HASHED_FILES = /^\/cached-profile-picture-[a-z]+-[0-9a-f]{10}\.js$/;

/**
 * The files that let a page work offline: the drop-in bundle and its modules, and the pages (with their own files)
 * the site asked to precache. Pages and the bundle are network-first (a new version shows at once when online),
 * hashed modules cache-first.
 */
export class SiteCache {
  readonly #cacheName: string;
  readonly #origin: string;
  readonly #precache: ReadonlySet<string>;
  #cache: Promise<Cache> | undefined;

  constructor(options: { cacheName: string; origin: string; precache: readonly string[] }) {
    this.#cacheName = options.cacheName;
    this.#origin = options.origin;
    this.#precache = new Set(options.precache);
  }

  /** How the worker answers `url`, or `undefined` when it leaves it to the network. */
  strategy(url: URL): SiteStrategy | undefined {
    if (HASHED_FILES.test(url.pathname)) return 'cache-first';
    if (NETWORK_FIRST_FILES.test(url.pathname)) return 'network-first';
    return url.origin === this.#origin && this.#precache.has(url.pathname) ? 'network-first' : undefined;
  }

  /**
   * The answer to `request`; `preload` is a navigation's preloaded response. Network-first answers do not wait for
   * the cache: it is opened to keep the answer once the answer is on its way, and to read only when the network fails.
   */
  async respond(
    request: Request,
    strategy: SiteStrategy,
    waitUntil: WaitUntil,
    preload?: Promise<Response | undefined>,
  ): Promise<Response> {
    const key = keyOf(request.url);
    if (strategy === 'cache-first') {
      const cached = await (await this.#open()).match(key);
      if (cached) return cached;
    }
    try {
      const response = (await preload) ?? (await fetch(request));
      if (keepable(response)) waitUntil(this.#keepIfNew(key, response.clone()));
      return response;
    } catch (error) {
      const cached = await (await this.#open()).match(key);
      if (cached) return cached;
      throw error;
    }
  }

  /** Fetches every precached path; one that fails is left out with a warning, and tried again at its next visit. */
  async precacheAll(): Promise<void> {
    const cache = await this.#open();
    await Promise.all(
      [...this.#precache].map(async (path) => {
        try {
          const response = await fetch(path, { cache: 'no-cache' });
          if (!keepable(response)) throw new Error(`the server answered ${response.status}`);
          await cache.put(keyOf(new URL(path, this.#origin).href), response);
        } catch (error) {
          console.warn(`[ImageCache] service worker: could not precache ${path}: ${(error as Error).message}`);
        }
      }),
    );
  }

  /** Keeps a bundle file the page loaded before the worker controlled it; nothing when already kept. */
  async warm(url: string): Promise<void> {
    const cache = await this.#open();
    if (await cache.match(keyOf(url))) return;
    const response = await fetch(url, { mode: 'cors', credentials: 'omit' });
    if (keepable(response)) await cache.put(keyOf(url), response);
  }

  /**
   * Writes `response` unless the cache holds the same version (same ETag): a page load then costs a read, not a write.
   */
  async #keepIfNew(key: string, response: Response): Promise<void> {
    // In a later task: the answer goes to the page in this one's microtasks, and the write reads the body at once.
    await new Promise((resolve) => setTimeout(resolve));
    const cache = await this.#open();
    const etag = response.headers.get('ETag');
    if (etag && (await cache.match(key))?.headers.get('ETag') === etag) return;
    await cache.put(key, response);
  }

  #open(): Promise<Cache> {
    return (this.#cache ??= caches.open(this.#cacheName));
  }
}

/** Pages are kept by path: `/profile?tab=1` offline is `/profile`. */
function keyOf(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

/** A redirected answer cannot be replayed for a navigation, and an opaque one has no size: neither is kept. */
function keepable(response: Response): boolean {
  return (
    response.ok &&
    !response.redirected &&
    (response.type === 'basic' || response.type === 'cors' || response.type === 'default')
  );
}
