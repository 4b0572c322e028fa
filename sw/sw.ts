/// <reference lib="webworker" />
/**
 * The service worker, built to `dist/sw.js` and served at `/sw.js` (scope `/`): cache-first profile pictures of the
 * image service's origins (each copy the page shows, by its immutable URL), bounded and expiring; the drop-in bundle
 * and the pages the site asked for, for offline; that service's uploads made offline sent when the connection
 * returns, or dropped past their time; a message API for `swManager` and the store. Its settings come from its own
 * URL (options.ts).
 */
import { USER_ID_PATTERN } from '../contract/picture.ts';
import type { WorkerNotice, WorkerRequest, WorkerStats } from './messages.ts';
import { readWorkerOptions } from './options.ts';
import { PictureCache } from './picture-cache.ts';
import { PictureIndex } from './picture-index.ts';
import { pictureRequest } from './picture-requests.ts';
import { staticRoutes, type RouterRule } from './routes.ts';
import { SiteCache } from './site-cache.ts';
import { UPLOAD_SYNC_TAG, UploadQueue } from './upload-queue.ts';
import { workerDb } from './worker-db.ts';

declare const self: ServiceWorkerGlobalScope;

/** Events the TypeScript library does not describe yet. */
interface RoutingInstallEvent extends ExtendableEvent {
  addRoutes?(rules: RouterRule[]): Promise<void>;
}
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}
interface SyncManager {
  register(tag: string): Promise<void>;
}

/**
 * Bumped when what the caches hold changes shape: the caches of other versions are deleted on activation. 2: pictures
 * are the service's copies, one entry per width, no longer the uploads under signed URLs.
 */
const CACHE_VERSION = 2;
const CACHE_PREFIX = 'cached-profile-pictures-';
const CACHE_NAMES = {
  pictures: `${CACHE_PREFIX}pictures-v${CACHE_VERSION}`,
  site: `${CACHE_PREFIX}site-v${CACHE_VERSION}`,
};
/** Where the page's stores listen for invalidations (`CHANNEL` in elements/store/picture-store.ts). */
const STORE_CHANNEL = 'cached-profile-pictures';
/** Cleanup runs at most this often after requests, and on this timer while the worker is awake. */
const CLEANUP_EVERY_MS = 5 * 60_000;
const VERSION_PATTERN = /^[0-9a-f]{16,64}$/;

const { options, problems } = readWorkerOptions(new URL(self.location.href).searchParams);
for (const problem of problems) console.warn(`[ImageCache] service worker: ${problem}.`);
/** The image service's origins (options.ts): pictures and uploads of any other host are not the worker's. */
const imageOrigins = options.origins.length ? options.origins : [self.location.origin];
const ofImageService = (url: URL) => imageOrigins.includes(url.origin);

const db = workerDb();
const index = new PictureIndex(db);
const pictures = new PictureCache({ cacheName: CACHE_NAMES.pictures, index, ...options });
const site = new SiteCache({ cacheName: CACHE_NAMES.site, origin: self.location.origin, precache: options.precache });
const uploads = new UploadQueue({
  db,
  maxAgeMs: options.uploadMaxAgeSeconds * 1000,
  async uploaded(userId) {
    await pictures.invalidate((picture) => picture.userId === userId);
    const channel = new BroadcastChannel(STORE_CHANNEL);
    channel.postMessage({ type: 'invalidate', userId });
    channel.close();
  },
  async notify(notice: WorkerNotice) {
    for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true }))
      client.postMessage(notice);
  },
  requestSync: async () =>
    (self.registration as ServiceWorkerRegistration & { sync?: SyncManager }).sync?.register(UPLOAD_SYNC_TAG),
});

let lastCleanup = 0;
function cleanupNow(): Promise<void> {
  lastCleanup = Date.now();
  const warn = (error: Error) => console.warn(`[ImageCache] service worker: cleanup failed: ${error.message}`);
  return Promise.all([pictures.cleanup().catch(warn), uploads.expire().catch(warn)]).then(() => {});
}
setInterval(() => void cleanupNow(), CLEANUP_EVERY_MS);

self.addEventListener('install', (event: RoutingInstallEvent) => {
  if (event.addRoutes) {
    // A browser that refuses a rule still has the fetch handler, which takes the same requests.
    event.waitUntil(
      event
        .addRoutes(staticRoutes(options.precache, self.location.origin, imageOrigins))
        .catch((error: Error) =>
          console.warn(
            `[ImageCache] service worker: static routes refused, every request goes through the worker: ${error.message}`,
          ),
        ),
    );
  }
  event.waitUntil(site.precacheAll());
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const current = new Set(Object.values(CACHE_NAMES));
      const old = (await caches.keys()).filter((name) => name.startsWith(CACHE_PREFIX) && !current.has(name));
      await Promise.all(old.map((name) => caches.delete(name)));
      // Pages the worker serves are asked for while it starts, not after.
      await self.registration.navigationPreload?.[options.precache.length ? 'enable' : 'disable']();
      await cleanupNow();
      // The page that registered the worker is served by it from now on, not from its next load.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  const waitUntil = (work: Promise<unknown>) => event.waitUntil(work);
  if (request.method === 'GET') {
    const picture = ofImageService(url) && pictureRequest(url);
    if (picture) {
      if (Date.now() - lastCleanup > CLEANUP_EVERY_MS) waitUntil(cleanupNow());
      return event.respondWith(pictures.respond(request, picture, waitUntil));
    }
    const strategy = site.strategy(url);
    if (strategy) {
      const preload =
        request.mode === 'navigate' ? (event.preloadResponse as Promise<Response | undefined>) : undefined;
      return event.respondWith(site.respond(request, strategy, waitUntil, preload));
    }
  }
  // Only offline: an upload the worker answers itself reports no upload progress to the page (Chromium), and a
  // multi-MB photo on a slow link needs its progress bar.
  const uploader = ofImageService(url) && UploadQueue.userOf(request);
  if (uploader && !self.navigator.onLine) event.respondWith(uploads.respond(request, uploader));
});

self.addEventListener('sync', (event) => {
  if ((event as SyncEvent).tag === UPLOAD_SYNC_TAG) (event as SyncEvent).waitUntil(uploads.send());
});

self.addEventListener('message', (event) => {
  const port = event.ports[0];
  const answer = handle(event.data as WorkerRequest).then(
    (result) => ({ ok: true, result }),
    (error: Error) => ({ ok: false, error: error.message }),
  );
  event.waitUntil(answer.then((reply) => port?.postMessage(reply)));
});

/** Answers one request of the message API; a bad request rejects with what was wrong. */
async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request?.type) {
    case 'stats': {
      const stats: WorkerStats = {
        ...(await pictures.stats()),
        ...index.counters(),
        queuedUploads: await uploads.size(),
        maxEntries: options.maxEntries,
        maxBytes: options.maxBytes,
        cacheVersion: CACHE_VERSION,
      };
      return stats;
    }
    case 'clear':
      await pictures.clear();
      return true;
    case 'invalidate':
      if (!USER_ID_PATTERN.test(String(request.userId)))
        throw new Error(
          `Invalid user id ${JSON.stringify(request.userId)}: expected 1 to 64 of A-Z, a-z, 0-9, _ and -.`,
        );
      return pictures.invalidate((picture) => picture.userId === request.userId);
    case 'invalidate-version':
      if (!VERSION_PATTERN.test(String(request.version)))
        throw new Error(
          `Invalid version ${JSON.stringify(request.version)}: expected the hex content hash the service answers.`,
        );
      return pictures.invalidate((picture) => picture.version === request.version);
    case 'warm':
      return warm(request.urls);
    case 'send-uploads':
      await uploads.send();
      return true;
    case 'skip-waiting':
      // Chromium settles skipWaiting() only once this worker is active; the page waits for controllerchange instead.
      void self.skipWaiting();
      return true;
    default:
      throw new Error(
        `Unknown request ${JSON.stringify(request)}: expected one of stats, clear, invalidate, invalidate-version, warm, send-uploads, skip-waiting.`,
      );
  }
}

/** Keeps the pictures and bundle files among `urls`; others are ignored. Answers how many were looked at. */
async function warm(urls: unknown): Promise<number> {
  if (!Array.isArray(urls) || !urls.every((url) => typeof url === 'string'))
    throw new Error('warm takes a list of URLs.');
  const work = urls.flatMap((href: string) => {
    const url = URL.parse(href);
    if (!url || !/^https?:$/.test(url.protocol)) return [];
    const picture = ofImageService(url) && pictureRequest(url);
    if (picture) return [pictures.warm(url.href, picture)];
    return site.strategy(url) && url.pathname.endsWith('.js') ? [site.warm(url.href)] : [];
  });
  // One that fails is simply not kept: the worker keeps it when the page asks for it again.
  await Promise.allSettled(work);
  return work.length;
}
