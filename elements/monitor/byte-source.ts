import type { ByteSource } from '../store/types.ts';

/** Entries already credited to a shown picture: a later load of the same URL with no new entry fetched nothing. */
const credited = new WeakSet<PerformanceEntry>();

/**
 * Where the bytes of the image just loaded from `url` (absolute, as the service names them) came from, read from
 * the Resource Timing API. An image the
 * page had already decoded makes no entry (Chromium, measured), so a load whose latest entry was already credited
 * came from the page's memory cache. Entries of `fetch()` calls (the store keeping bytes) are not the image's.
 * Call it once per loaded image, from its `load` event.
 */
export function byteSourceOf(url: string): ByteSource {
  const entry = (performance.getEntriesByName(url, 'resource') as PerformanceResourceTiming[]).filter((e) => e.initiatorType !== 'fetch').pop();
  if (!entry || credited.has(entry)) return 'memoryCache';
  credited.add(entry);
  if (entry.transferSize > 0) return 'network';
  // No bytes transferred: a cache answered, unless the host hid the sizes (cross-origin, no Timing-Allow-Origin).
  if (entry.decodedBodySize === 0) return 'unknown';
  return entry.workerStart > 0 ? 'serviceWorker' : 'httpCache';
}
