/**
 * The picture cache's policy, apart from its storage (as in workbox-expiration): how long an entry is fresh, and
 * which entries go when the cache is over its bounds or the disk is full. Pure functions over plain records; the
 * loops that pick the entries are the page's too (elements/store/layers/eviction.ts), the order is the worker's.
 */
import { toFit, toFree as freeing, type Bounds } from '../elements/store/layers/eviction.ts';

export type { Bounds };

/** What the worker knows of one cached picture, besides its bytes. */
export interface PictureEntry {
  /** The cache key (see picture-requests.ts). */
  key: string;
  userId: string;
  version: string;
  bytes: number;
  storedAt: number;
  /** Until when it is served without asking the network; after, only when the network fails. */
  expiresAt: number;
  lastUsed: number;
}

/**
 * Until when a response stored at `now` is fresh: `maxAgeSeconds`, or the response's own `max-age` when shorter
 * (`no-cache`: kept for offline only). `undefined` when the service did not mark it cacheable: only a `max-age`
 * above 0 or `immutable` does, and neither counts beside `no-store` or `private` (an answer meant for one user).
 */
export function freshUntil(now: number, cacheControl: string | null, maxAgeSeconds: number): number | undefined {
  const directives = (cacheControl ?? '').toLowerCase();
  const has = (directive: string) => new RegExp(`(^|[,\\s])${directive}\\b`).test(directives);
  const maxAge = Number(/(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(directives)?.[1] ?? 0);
  if (has('no-store') || has('private') || !(maxAge > 0 || has('immutable'))) return undefined;
  const seconds = has('no-cache') ? 0 : Math.min(maxAgeSeconds, maxAge || Infinity);
  return now + seconds * 1000;
}

/** Expired entries first (offline is all they are good for), then the least recently used. */
function evictionOrder(entries: Iterable<PictureEntry>, now: number): PictureEntry[] {
  return [...entries].sort(
    (a, b) => Number(b.expiresAt <= now) - Number(a.expiresAt <= now) || a.lastUsed - b.lastUsed,
  );
}

/** The entries to drop so that the rest fit `bounds`. */
export function overBounds(entries: Iterable<PictureEntry>, bounds: Bounds, now: number): PictureEntry[] {
  return toFit(evictionOrder(entries, now), bounds);
}

/** The fewest entries, in eviction order, that free at least `bytes` (the disk is full: make room for a picture). */
export function toFree(entries: Iterable<PictureEntry>, bytes: number, now: number): PictureEntry[] {
  return freeing(evictionOrder(entries, now), bytes);
}
