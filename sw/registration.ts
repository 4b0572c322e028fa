/**
 * `swManager`: the page's side of the service worker. A site opts in by calling `register()` (or with
 * `<picture-store-provider service-worker="/sw.js">`): a worker at the root of someone's site is their choice.
 *
 * @example
 * import { swManager } from 'https://pictures.example/sw-registration.js';
 * await swManager.register({ precache: ['/', '/friends'] });
 * addEventListener('picture-worker-update', () => showBanner('A new version is ready', () => swManager.applyUpdate()));
 * console.log(await swManager.getCacheStats()); // { totalEntries: 67, validEntries: 65, … }
 */
import { whenIdle } from '../elements/store/idle.ts';
import {
  SERVER_TIMING_NAME,
  type WorkerCacheStats,
  type WorkerNotice,
  type WorkerRequest,
  type WorkerStats,
} from './messages.ts';
import { workerScriptUrl, type WorkerOptions } from './options.ts';
import { pictureRequest } from './picture-requests.ts';
import { tellWorker } from './tell-worker.ts';

export type { QueuedUpload, WorkerCacheStats, WorkerNotice, WorkerStats } from './messages.ts';
export type { WorkerOptions } from './options.ts';

export interface RegisterOptions extends Partial<WorkerOptions> {
  /**
   * The worker's script, which the image service serves at the root (default `/sw.js`): a path on the page's own
   * origin. Any other URL is refused before any registration: a worker from elsewhere would see every request.
   */
  url?: string;
  /** The pages it serves (default `/`, the whole site). */
  scope?: string;
}

/**
 * Fired on `window` when a new worker is installed and waits: call `swManager.applyUpdate()` when it suits the page.
 */
export const WORKER_UPDATE_EVENT = 'picture-worker-update';
/**
 * Fired on `window` when `register()` fails (`detail: {url, error}`): a script not on the page's origin, refused before
 * any registration, a bad option, or the browser's refusal.
 */
export const WORKER_ERROR_EVENT = 'picture-worker-error';
/** Fired on `window` when an upload kept offline reached the service (`detail`: the worker's notice). */
export const UPLOAD_SENT_EVENT = 'picture-upload-sent';
/** Fired on `window` when the service refused an upload kept offline (`detail` says why). */
export const UPLOAD_FAILED_EVENT = 'picture-upload-failed';
/**
 * Fired on `window` when an upload kept offline waited past `uploadMaxAgeSeconds` and was dropped unsent, with its
 * token (`detail`: the worker's notice).
 */
export const UPLOAD_EXPIRED_EVENT = 'picture-upload-expired';

const NOTICE_EVENTS: Record<WorkerNotice['type'], string> = {
  'upload-sent': UPLOAD_SENT_EVENT,
  'upload-failed': UPLOAD_FAILED_EVENT,
  'upload-expired': UPLOAD_EXPIRED_EVENT,
};

/**
 * What is done once per page, whichever copy of this module does it: a site's `/sw-registration.js` and the
 * provider's own copy must not both warn, listen or announce.
 */
const once = ((globalThis as { [key: symbol]: unknown })[Symbol.for('cached-profile-pictures.sw-registration')] ??= {
  warned: false,
  listening: false,
  watched: new WeakSet<ServiceWorkerRegistration>(),
}) as { warned: boolean; listening: boolean; watched: WeakSet<ServiceWorkerRegistration> };

/** The page's service worker: registration, its caches' figures, clearing, invalidation and updates. */
export const swManager = {
  /**
   * Registers the worker (once per page is enough; again with other options installs them as an update). Resolves
   * with the registration, or `undefined`, with one warning saying why, where the page cannot have a worker.
   *
   * Every failure also fires {@link WORKER_ERROR_EVENT} on `window`.
   *
   * @throws {TypeError} for a script that is not on the page's own origin, before any registration.
   * @throws {RangeError} for an option it cannot use, naming it.
   */
  async register(options: RegisterOptions = {}): Promise<ServiceWorkerRegistration | undefined> {
    const script = options.url ?? '/sw.js';
    try {
      return await registerNow(script, options);
    } catch (error) {
      dispatchEvent(new CustomEvent(WORKER_ERROR_EVENT, { detail: { url: script, error } }));
      throw error;
    }
  },

  /** The registration that controls (or would control) this page. */
  async getRegistration(): Promise<ServiceWorkerRegistration | undefined> {
    return globalThis.navigator?.serviceWorker?.getRegistration();
  },

  /** The worker's picture cache, in the original guide's shape; `undefined` without a worker. */
  async getCacheStats(): Promise<WorkerCacheStats | undefined> {
    const stats = await this.getServiceWorkerStats();
    if (!stats) return undefined;
    const { totalEntries, validEntries, expiredEntries, totalSizeKB, totalSizeMB } = stats;
    return { totalEntries, validEntries, expiredEntries, totalSizeKB, totalSizeMB };
  },

  /** Everything the worker counts: entries, bytes, hits, misses, stale answers, uploads waiting. */
  getServiceWorkerStats: () => ask<WorkerStats>({ type: 'stats' }),

  /** Empties the worker's picture cache; `false` without a worker. */
  clearCache: async () => (await ask<boolean>({ type: 'clear' })) ?? false,

  /** Drops every cached picture of a user; answers how many. */
  invalidate: async (userId: string) => (await ask<number>({ type: 'invalidate', userId })) ?? 0,

  /** Drops one version of a picture wherever it is cached; answers how many entries. */
  invalidateVersion: async (version: string) => (await ask<number>({ type: 'invalidate-version', version })) ?? 0,

  /** Sends the uploads kept while offline now (it happens by itself when the connection returns). */
  sendUploads: async () => void (await ask<boolean>({ type: 'send-uploads' })),

  /**
   * Lets the waiting worker take over, and resolves once it controls the page; `false` when none waits. The page is
   * not reloaded: it reloads when it chooses to.
   */
  async applyUpdate(): Promise<boolean> {
    const waiting = (await this.getRegistration())?.waiting;
    if (!waiting) return false;
    const changed = new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
    await tellWorker({ type: 'skip-waiting' }, waiting);
    await changed;
    return true;
  },
};

/** What `register()` does; `register()` adds the event when this rejects. */
async function registerNow(script: string, options: RegisterOptions): Promise<ServiceWorkerRegistration | undefined> {
  if (!sameOrigin(script))
    throw new TypeError(
      `swManager.register: the worker's script must be a path on this page's origin (${location.origin}), not ${JSON.stringify(script)}.`,
    );
  const url = workerScriptUrl(script, options);
  if (!('serviceWorker' in navigator)) {
    warnOnce(whyNoWorker());
    return undefined;
  }
  const controlledAtStart = Boolean(navigator.serviceWorker.controller);
  const scope = options.scope ?? '/';
  // Registered already with this script: the browser checks it for updates by itself, no request per page load.
  const existing = await navigator.serviceWorker.getRegistration(scope);
  const href = new URL(url, location.href).href;
  const registration =
    existing && [existing.installing, existing.waiting, existing.active].some((worker) => worker?.scriptURL === href)
      ? existing
      : await navigator.serviceWorker.register(url, { scope });
  listen();
  watchUpdates(registration);
  // What the page loads before a worker serves it is kept too, so the next visit finds it offline.
  if (!controlledAtStart) keepUnserved(registration);
  return registration;
}

/** The original guide's import: `import { getServiceWorkerStats } from '…/sw-registration.js'`. */
export const getServiceWorkerStats = () => swManager.getServiceWorkerStats();

/** Asks the active worker (controlling this page or not). */
async function ask<T>(request: WorkerRequest): Promise<T | undefined> {
  const worker = globalThis.navigator?.serviceWorker?.controller ?? (await swManager.getRegistration())?.active;
  return worker ? tellWorker<T>(request, worker) : undefined;
}

/** Announces a worker that waits to take over, as soon as it is installed or, when it already is, now. */
function watchUpdates(registration: ServiceWorkerRegistration): void {
  if (once.watched.has(registration)) return;
  once.watched.add(registration);
  const announce = () => dispatchEvent(new CustomEvent(WORKER_UPDATE_EVENT, { detail: { registration } }));
  if (registration.waiting && navigator.serviceWorker.controller) announce();
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      // Without a controller this is the first install, which takes over by itself: nothing to announce.
      if (worker.state === 'installed' && navigator.serviceWorker.controller) announce();
    });
  });
}

/** Turns the worker's notices into window events, and sends kept uploads when the page is back online. */
function listen(): void {
  if (once.listening) return;
  once.listening = true;
  navigator.serviceWorker.addEventListener('message', ({ data }: MessageEvent<WorkerNotice>) => {
    // Own keys only: a message of type `constructor` is not a notice.
    if (Object.hasOwn(NOTICE_EVENTS, data?.type))
      dispatchEvent(new CustomEvent(NOTICE_EVENTS[data.type], { detail: data }));
  });
  addEventListener('online', () => void sendWhileOnline());
}

/** Tries after the `online` event, in seconds: the worker's own network may come back a moment after the page's. */
const SEND_RETRIES_S = [1, 2, 4, 8, 16];

/**
 * Sends the kept uploads, trying again a few times while the page stays online: a connection that just returned
 * may fail the first requests, and a browser without Background Sync would not try again by itself.
 */
async function sendWhileOnline(): Promise<void> {
  for (const wait of [0, ...SEND_RETRIES_S]) {
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    if (!navigator.onLine) return;
    try {
      return await swManager.sendUploads();
    } catch {
      // The next try, or the `sync` event, sends it.
    }
  }
}

/**
 * Tells the worker, in idle time, about every picture and script the page loads without it (before it took control,
 * or while a request that started before was still on its way), so it keeps them.
 */
function keepUnserved(registration: ServiceWorkerRegistration): void {
  let urls: string[] = [];
  new PerformanceObserver((list) => {
    const unserved = (list.getEntries() as PerformanceResourceTiming[]).filter(
      (entry) =>
        !entry.serverTiming.some((timing) => timing.name === SERVER_TIMING_NAME) &&
        (entry.name.endsWith('.js') || pictureRequest(new URL(entry.name))),
    );
    if (!unserved.length) return;
    if (!urls.length) {
      whenIdle(() => {
        const warm: WorkerRequest = { type: 'warm', urls };
        urls = [];
        void navigator.serviceWorker.ready.then((ready) =>
          tellWorker(warm, ready.active ?? registration.active).catch(() => {}),
        );
      });
    }
    urls.push(...unserved.map((entry) => entry.name));
  }).observe({ type: 'resource', buffered: true });
}

/** Whether `script` names a script on this page's origin (`/sw.js`, not `//elsewhere/sw.js`, `data:` or `blob:`). */
function sameOrigin(script: unknown): boolean {
  try {
    return typeof script === 'string' && new URL(script, location.href).href.startsWith(`${location.origin}/`);
  } catch {
    return false;
  }
}

function whyNoWorker(): string {
  const { protocol, hostname, origin } = location;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(hostname) || hostname.endsWith('.localhost');
  if (protocol === 'http:' && !local) {
    return (
      `[ImageCache] No service worker registered: ${origin} is served over plain HTTP, and browsers allow service ` +
      'workers only on HTTPS pages (and on localhost). Pictures still show and are cached in the page; serve the site ' +
      'over HTTPS to keep them offline too.'
    );
  }
  return (
    '[ImageCache] No service worker registered: this browser does not offer service workers here (private mode, ' +
    'or turned off). Pictures still show and are cached in the page.'
  );
}

function warnOnce(message: string): void {
  if (once.warned) return;
  once.warned = true;
  console.warn(message);
}
