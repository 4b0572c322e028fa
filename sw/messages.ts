/**
 * What the page and the service worker say to each other: the message API's types (the store imports them without
 * adding a byte to its bundle), and the `Server-Timing` entry the worker puts on the pictures it answers.
 */
import type { PictureMeta } from '../contract/picture.ts';

/**
 * The name of the `Server-Timing` entry on every picture the worker answers: `desc` is `hit` (from its cache, fresh
 * or stale) or `miss` (fetched). The page reads it through the Resource Timing API to tell where the bytes came from.
 */
export const SERVER_TIMING_NAME = 'sw-cache';

/** A request to the worker, sent with a `MessagePort` for the answer (see `tellWorker`). */
export type WorkerRequest =
  | { type: 'stats' }
  | { type: 'clear' }
  | { type: 'invalidate'; userId: string }
  | { type: 'invalidate-version'; version: string }
  /** Cache these URLs now (pictures and the bundle the page loaded before the worker controlled it). */
  | { type: 'warm'; urls: string[] }
  /** The page is online again: send the uploads kept while offline. */
  | { type: 'send-uploads' }
  /** The page agreed to the waiting worker taking over. */
  | { type: 'skip-waiting' };

/** The worker's answer to a {@link WorkerRequest}. */
export type WorkerReply<T = unknown> = { ok: true; result: T } | { ok: false; error: string };

/** The worker's picture cache, as `swManager.getCacheStats()` answers (the original guide's shape). */
export interface WorkerCacheStats {
  totalEntries: number;
  /** Entries within their expiry: served without asking the network. */
  validEntries: number;
  /** Entries past it: asked for again while online, still served offline. */
  expiredEntries: number;
  totalSizeKB: number;
  /** Two decimals, as a string: `"1.25"`. */
  totalSizeMB: string;
}

/** Everything the worker counts, as `swManager.getServiceWorkerStats()` answers. */
export interface WorkerStats extends WorkerCacheStats {
  /** Pictures answered from the cache within their expiry. */
  hits: number;
  /** Pictures fetched from the network (and then kept). */
  misses: number;
  /** Expired pictures answered because the network failed. */
  stale: number;
  /** Uploads made offline, waiting for the connection. */
  queuedUploads: number;
  /** The worker's bounds. */
  maxEntries: number;
  maxBytes: number;
  /** The worker's cache version: its caches are named with it. */
  cacheVersion: number;
}

/** What the worker tells every page of its scope on its own. */
export type WorkerNotice =
  | { type: 'upload-sent'; userId: string; status: number; picture: PictureMeta | null }
  | { type: 'upload-failed'; userId: string; status: number; message: string }
  /** Kept past `uploadMaxAgeSeconds` (sw/options.ts): dropped, with its token, and never sent. */
  | { type: 'upload-expired'; userId: string; queuedAt: number; message: string };

/** What the worker answers (202) to an upload it kept because the network failed. */
export interface QueuedUpload {
  queued: { id: number; userId: string };
  message: string;
}
