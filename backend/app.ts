import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../contract/picture.ts';
import { createAuth, type AuthOptions } from './auth.ts';
import type { EventBus, LookupCache } from './cache/cache.ts';
import { clientAddress } from './client-address.ts';
import { createAdmission } from './concurrency.ts';
import {
  DEFAULT_MAX_ANIMATION_PIXELS,
  DEFAULT_MAX_IMAGE_FRAMES,
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_MAX_STREAMS,
  DEFAULT_MAX_STREAMS_PER_CLIENT,
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_MEMORY_BYTES,
  DEFAULT_MAX_UPLOADS_PER_CLIENT,
  DEFAULT_UPLOAD_TIMEOUT_MS,
} from './config.ts';
import { createCors } from './cors.ts';
import type { CopyMemoryOptions } from './copy-memory.ts';
import { ApiError, codeForStatus } from './errors.ts';
import { createImageEncoder, type ImageEncoder } from './images/encode.ts';
import { createMetrics, type ServiceMetrics } from './metrics/metrics.ts';
import { observeError, observeLookups, observeUploads } from './metrics/observe.ts';
import { createPictureService } from './pictures.ts';
import { assetRoutes, type Asset } from './routes/assets.ts';
import { cacheRoutes } from './routes/cache.ts';
import { demoRoutes } from './routes/demo.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { imageRoutes } from './routes/images.ts';
import { createLookupAnswers } from './routes/lookup-answers.ts';
import { lookupRoutes } from './routes/lookups.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { pictureRoutes } from './routes/pictures.ts';
import type { PictureStorage } from './storage/storage.ts';

/** Everything the service needs from outside; the runtime entries build it from the environment. */
export interface AppDeps {
  cache: LookupCache;
  storage: PictureStorage;
  events: EventBus;
  auth: AuthOptions;
  /** Makes the copies every picture URL serves (default: libvips, within the limits below). */
  images?: ImageEncoder;
  /** Uploads larger than this are refused with 413 (default 20 MiB). */
  maxUploadBytes?: number;
  /** An upload whose body has not arrived within this long is cut off with 408 (default 120 s). */
  uploadTimeoutMs?: number;
  /**
   * An image or frame whose headers claim more pixels than this is refused with 413 before anything decodes it (default
   * 25 million).
   */
  maxImagePixels?: number;
  /** Frames of an animation past this are dropped (default 100). */
  maxImageFrames?: number;
  /** An animation whose kept frames hold more pixels than this in all is refused with 413 (default 100 million). */
  maxAnimationPixels?: number;
  /** The most images the process decodes and encodes at once; the others wait (default 2). */
  maxImageJobs?: number;
  /** The most storage reads the process makes at once for lookups that miss the cache (default 64). */
  maxStorageReads?: number;
  /**
   * The request's connection, as the runtime sees it (`getConnInfo` of `@hono/node-server/conninfo`, `hono/deno`,
   * …): per-client limits count by its remote address. Unset, only the limits for all clients apply.
   */
  connInfo?: GetConnInfo;
  /**
   * Proxies in front that append to `X-Forwarded-For`: the client is the address the outermost one saw (default 0: the
   * socket's peer).
   */
  trustProxy?: number;
  /** The most `/api/events` streams one client may hold open; more are refused with 429 (default 16). */
  maxStreamsPerClient?: number;
  /** The most `/api/events` streams the process holds open; more are refused with 503 (default 512). */
  maxStreams?: number;
  /** The most uploads one client may send at once; more are refused with 429 before their body is read (default 4). */
  maxUploadsPerClient?: number;
  /**
   * The most bytes of upload bodies the process holds at once, each at its Content-Length; more is refused with 503
   * (default 80 MiB).
   */
  maxUploadMemoryBytes?: number;
  /**
   * The storage sweep's grace period (`CLEANUP_GRACE_MS`), when something sweeps it (the runtime entries do): lookups
   * are then cached for at most half of it, so none outlives the bytes it names. Unset: 50 minutes.
   */
  cleanupGraceMs?: number;
  /**
   * The copies kept in memory for the `/images/` route: at most `maxBytes`, each read again from the storage once
   * `ttlMs` old (the runtime entries pass `COPY_MEMORY_BYTES` and `CLEANUP_INTERVAL_MS`). Unset: none.
   */
  copyMemory?: CopyMemoryOptions;
  /** Origins allowed to call the API from a page; `['*']` (the default) allows any. */
  corsOrigins?: string[];
  /** Prefixed to the picture URLs lookups answer (`PUBLIC_URL`); unset, they are paths on this service. */
  publicUrl?: string;
  now?: () => number;
  log?: Pick<Console, 'warn' | 'error'>;
  /** What `GET /metrics` reports (default: a fresh registry of the service's own metrics). */
  metrics?: ServiceMetrics;
  /** Files served at the root, such as `cached-profile-picture.js`. */
  assets?: ReadonlyMap<string, Asset>;
  /** Aborted when the server stops: open event streams end, so the server is not kept waiting for them. */
  shutdown?: AbortSignal;
  /**
   * The demo user, whose token `GET /api/demo/token` hands to anyone: set only while the operator has set no
   * `AUTH_SECRET` (`auth.secret` is then made at startup). Unset, the route does not exist.
   */
  demoUser?: string;
}

/**
 * The image service as a Web-standard Hono app: `app.fetch(request)` on any runtime.
 *
 * @example
 * const app = createApp({ cache: createMemoryCache(), storage: createFileStorage({ dir }), events: createMemoryEventBus(), auth: {} });
 * const res = await app.request('/api/pictures/ada');
 */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? console;
  const { cache, storage, events } = deps;
  const maxPixels = deps.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const images =
    deps.images ??
    createImageEncoder({
      maxPixels,
      maxFrames: deps.maxImageFrames ?? DEFAULT_MAX_IMAGE_FRAMES,
      maxAnimationPixels: deps.maxAnimationPixels ?? DEFAULT_MAX_ANIMATION_PIXELS,
    });
  const auth = createAuth(deps.auth);
  const metrics = deps.metrics ?? createMetrics();
  const service = createPictureService({
    cache,
    storage,
    events,
    images,
    now: deps.now,
    log,
    maxStorageReads: deps.maxStorageReads,
    maxImageJobs: deps.maxImageJobs,
    retainMs: deps.cleanupGraceMs,
    copyMemory: deps.copyMemory,
    onCopy(from, heldBytes) {
      metrics.copies.inc({ from });
      metrics.copyMemoryBytes.set(heldBytes);
    },
  });
  const clientOf = clientAddress({ connInfo: deps.connInfo, trustProxy: deps.trustProxy });
  const uploads = createAdmission({
    perClient: deps.maxUploadsPerClient ?? DEFAULT_MAX_UPLOADS_PER_CLIENT,
    total: deps.maxUploadMemoryBytes ?? DEFAULT_MAX_UPLOAD_MEMORY_BYTES,
    onChange: (bytes) => metrics.uploadBytesHeld.set(bytes),
  });
  const streams = createAdmission({
    perClient: deps.maxStreamsPerClient ?? DEFAULT_MAX_STREAMS_PER_CLIENT,
    total: deps.maxStreams ?? DEFAULT_MAX_STREAMS,
    onChange: (open) => metrics.eventStreams.set(open),
  });

  const cors = createCors({
    origins: deps.corsOrigins ?? ['*'],
    allowMethods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
    exposeHeaders: ['ETag', 'X-Cache', 'Retry-After', 'Location'],
    maxAgeSeconds: 600,
  });
  const answers = createLookupAnswers(deps.publicUrl);

  const app = new Hono();
  // The lookups come first: they answer with their CORS headers and count themselves, so the middleware below never
  // runs for them (handlers run in the order they were added, and an answer ends the chain).
  app.route('/api/pictures', lookupRoutes({ service, answers, cors, observe: observeLookups(metrics) }));
  app.use('*', observeUploads(metrics));
  app.use('*', cors.middleware);
  const upload = {
    maxBytes: deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    timeoutMs: deps.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS,
    maxPixels,
  };
  app.route('/api/pictures', pictureRoutes({ service, auth, upload, uploads, clientOf, published: answers.published }));
  app.route('/api/cache', cacheRoutes({ cache, auth }));
  app.route('/api/events', eventRoutes({ events, shutdown: deps.shutdown, admission: streams, clientOf }));
  app.route('/images', imageRoutes({ service }));
  app.route('/healthz', healthRoutes({ cache, storage, log }));
  app.route('/metrics', metricsRoutes({ metrics, auth }));
  if (deps.demoUser && deps.auth.secret) {
    app.route(
      '/api/demo',
      demoRoutes({ userId: deps.demoUser, secret: deps.auth.secret, audience: deps.auth.audience, now: deps.now }),
    );
  }
  if (deps.assets?.size) app.route('/', assetRoutes({ assets: deps.assets }));

  app.notFound((c) =>
    c.json<ErrorBody>({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}.` } }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      observeError(metrics, error.code);
      if (error.status >= 500 || error.log)
        log.warn(`[service] ${c.req.method} ${c.req.path}: ${error.message} (${String(error.cause)})`);
      return c.json<ErrorBody>(
        { error: { code: error.code, message: error.message } },
        error.status as ContentfulStatusCode,
        error.headers,
      );
    }
    if (error instanceof HTTPException) {
      observeError(metrics, codeForStatus(error.status));
      return c.json<ErrorBody>(
        { error: { code: codeForStatus(error.status), message: error.message } },
        error.status as ContentfulStatusCode,
      );
    }
    log.error(`[service] ${c.req.method} ${c.req.path} failed:`, error);
    observeError(metrics, 'internal');
    return c.json<ErrorBody>({ error: { code: 'internal', message: 'Internal error; it has been logged.' } }, 500);
  });
  return app;
}
