import { SERVER_TIMING_NAME } from '../../sw/messages.ts';
import type { ByteOrigin } from '../store/types.ts';

/** Entries already credited to a shown picture: a later load of the same URL with no new entry fetched nothing. */
const credited = new WeakSet<PerformanceEntry>();

/**
 * Where the bytes of the image just loaded from `url` (absolute, as the service names them) came from, read from
 * the Resource Timing API. An image the page had already decoded makes no new entry (in Chromium), so a load
 * whose latest entry was already credited came from the page's memory cache. The service worker marks what it
 * answers with a `Server-Timing` entry (`hit` from its cache, `miss` fetched). Entries of `fetch()` calls (the store
 * keeping bytes) are not the image's. Call it once per loaded image, from its `load` event.
 */
export function byteOriginOf(url: string): ByteOrigin {
  const entry = (performance.getEntriesByName(url, 'resource') as PerformanceResourceTiming[])
    .filter((e) => e.initiatorType !== 'fetch')
    .pop();
  // No entry at all: the page never recorded this URL, so its Resource Timing buffer is full.
  if (!entry) return 'unknown';
  if (credited.has(entry)) return 'memoryCache';
  credited.add(entry);
  const worker = entry.serverTiming.find((timing) => timing.name === SERVER_TIMING_NAME);
  if (worker) return worker.description === 'hit' ? 'serviceWorker' : 'network';
  if (entry.transferSize > 0) return 'network';
  // No bytes transferred: the HTTP cache answered, unless the host hid the sizes (cross-origin, no
  // Timing-Allow-Origin).
  return entry.decodedBodySize > 0 ? 'httpCache' : 'unknown';
}
