/**
 * Which stored items go, given them in the order they should go: the one bounds loop that the page's IndexedDB
 * layer and the service worker's expiration (sw/expiration.ts) share. Pure and without imports, because it is
 * bundled into both the page's IndexedDB module and sw.js; the order (least recently used, expired first) is each
 * caller's policy.
 */

/** A cache's bounds: at most `maxEntries` items and `maxBytes` bytes. */
export interface Bounds {
  maxEntries: number;
  maxBytes: number;
}

/**
 * The items to drop so that the rest fit `bounds`: taken from the front of `firstToGo` until both bounds hold.
 *
 * @example
 * toFit(oldestFirst, { maxEntries: 100, maxBytes: 10 * 1024 * 1024 }).map((item) => item.key)
 */
export function toFit<T extends { bytes: number }>(firstToGo: readonly T[], bounds: Bounds): T[] {
  let count = firstToGo.length;
  let bytes = firstToGo.reduce((sum, item) => sum + item.bytes, 0);
  const out: T[] = [];
  for (const item of firstToGo) {
    if (count <= bounds.maxEntries && bytes <= bounds.maxBytes) break;
    out.push(item);
    count--;
    bytes -= item.bytes;
  }
  return out;
}

/**
 * The fewest items from the front of `firstToGo` that free at least `bytes` (the disk is full: make room for one).
 *
 * @example
 * toFree(oldestFirst, incoming.size).map((item) => item.key)
 */
export function toFree<T extends { bytes: number }>(firstToGo: Iterable<T>, bytes: number): T[] {
  const out: T[] = [];
  let freed = 0;
  for (const item of firstToGo) {
    if (freed >= bytes) break;
    out.push(item);
    freed += item.bytes;
  }
  return out;
}
