import { Hono } from 'hono';
import type { Health, PartHealth } from '../../contract/picture.ts';
import type { PictureCache } from '../cache/cache.ts';
import type { PictureStorage } from '../storage/storage.ts';

/** A health check answers promptly even when a part hangs. */
const PING_TIMEOUT_MS = 2_000;

/** `/healthz`: which part is unwell; 503 only when the storage is, since a cache outage is survived. */
export function healthRoutes({ cache, storage }: { cache: PictureCache; storage: PictureStorage }) {
  return new Hono().get('/', async (c) => {
    const [cacheHealth, storageHealth] = await Promise.all([check(cache.kind, () => cache.ping()), check(storage.kind, () => storage.ping())]);
    const health: Health = { ok: cacheHealth.ok && storageHealth.ok, cache: cacheHealth, storage: storageHealth };
    return c.json(health, storageHealth.ok ? 200 : 503, { 'Cache-Control': 'no-store' });
  });
}

async function check(kind: string, ping: () => Promise<void>): Promise<PartHealth> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { kind, ok: true };
  } catch (error) {
    return { kind, ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
