// What the benchmarks read of the image service before and after measuring: its cache's counters.
import type { CacheStats } from '../contract/picture.ts';

/** The service's cache counters (`GET /api/cache/stats`). */
export async function cacheStats(base: string): Promise<CacheStats> {
  return (await (await fetch(`${base}/api/cache/stats`)).json()) as CacheStats;
}
