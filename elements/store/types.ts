import type { PictureMeta } from '../../contract/picture.ts';

/** Where the store learned which picture is current: the layers, fastest first. */
export const MetaLayers = ['memory', 'localStorage', 'indexedDB', 'network'] as const;
export type MetaLayer = (typeof MetaLayers)[number];

/** The store's answer for one user. */
export interface Resolution {
  userId: string;
  /** `null`: the user has no picture (show the fallback). */
  meta: PictureMeta | null;
  layer: MetaLayer;
  /** `false` when `meta.url` is expired or within 5 minutes of it: show the stored Blob, a fresh URL is on its way. */
  urlUsable: boolean;
  /** Time from the call to the answer. */
  ms: number;
}

/**
 * Where a shown picture's bytes came from, told apart with the Resource Timing API: `memoryCache`, an image this page
 * had already decoded (no fetch at all); `indexedDB`, the stored Blob; `unknown`, the browser did not say (a
 * cross-origin host that sends no `Timing-Allow-Origin`, or the page's Resource Timing buffer is full).
 */
export const ByteOrigins = ['memoryCache', 'httpCache', 'serviceWorker', 'indexedDB', 'network', 'unknown'] as const;
export type ByteOrigin = (typeof ByteOrigins)[number];

/**
 * One resolution, as the monitor (and the dashboard) sees it: a metadata report (no `source`), a loaded image
 * (`source`), or a failure (`error`).
 */
export interface ResolutionReport {
  userId: string;
  layer: MetaLayer;
  /** Where the bytes came from, once the image has loaded; absent for a metadata-only report. */
  source?: ByteOrigin;
  ms: number;
  /** Bytes not fetched from the network thanks to the cache. */
  bytesSaved?: number;
  /** Why the picture could not be resolved or shown; such a report counts as an error, nothing else. */
  error?: string;
  /** The answer's URL was expired or about to be: the stored bytes were shown while a fresh URL was fetched. */
  stale?: boolean;
}

/** Receives every resolution; the dashboard's monitor implements it. */
export interface PictureMonitor {
  record(report: ResolutionReport): void;
}

/**
 * What `<cached-profile-picture>` and `ProfilePictureController` need from the store. `PictureStore` implements it.
 */
export interface PictureSource {
  /** Synchronous: memory, then LocalStorage. `undefined` when neither knows the user (then call `get`). */
  peek(userId: string): Resolution | undefined;
  /** Every layer in order, then the network; calls made in one task share one batch request. */
  get(userId: string): Promise<Resolution>;
  /** Called with a new resolution whenever the user's picture changes (invalidation, another tab, an upload). */
  watch(userId: string, listener: (resolution: Resolution) => void): () => void;
  /**
   * An object URL for the picture's stored Blob (IndexedDB), or `undefined` when none is stored. Counted per caller:
   * call `releaseBlobUrl` when no longer shown, and the URL is revoked when nobody shows it.
   */
  acquireBlobUrl(meta: PictureMeta): Promise<string | undefined>;
  releaseBlobUrl(meta: PictureMeta): void;
  /**
   * The picture's image has loaded from `url` (its `currentSrc`: the copy the browser picked; default `meta.url`):
   * keep those bytes for later (idle time), and report where they came from.
   */
  loaded(resolution: Resolution, ms: number, url?: string): void;
  /** Reports to the monitor, and logs in debug mode. */
  report(report: ResolutionReport): void;
}
