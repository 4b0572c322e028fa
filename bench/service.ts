// What the benchmarks ask of the image service before and after measuring: uploads and its cache's counters.
import type { CacheStats, PictureMeta } from '../contract/picture.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';

/** The operator's header, for uploads and dropping cache entries. */
export const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Uploads `body` as `userId`'s picture, as the operator; fails unless the service answers 201. */
export async function upload(
  base: string,
  userId: string,
  body: Uint8Array<ArrayBuffer>,
  contentType?: string,
): Promise<PictureMeta> {
  const headers = contentType ? { ...admin, 'Content-Type': contentType } : admin;
  const res = await fetch(`${base}/api/pictures/${userId}`, { method: 'PUT', body, headers });
  if (res.status !== 201) throw new Error(`upload of ${userId}'s picture answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PictureMeta;
}

/** The service's cache counters (`GET /api/cache/stats`). */
export async function cacheStats(base: string): Promise<CacheStats> {
  return (await (await fetch(`${base}/api/cache/stats`)).json()) as CacheStats;
}
