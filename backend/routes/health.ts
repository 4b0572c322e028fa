import { Hono } from 'hono';
import type { Health, PartHealth } from '../../contract/picture.ts';
import type { LookupCache } from '../cache/cache.ts';
import type { PictureStorage } from '../storage/storage.ts';

/** A health check answers promptly even when a part hangs. */
const PING_TIMEOUT_MS = 2_000;

class PingTimeout extends Error {}

/**
 * `/healthz`: which part is unwell; 503 only when the storage is, since a cache outage is survived. The answer
 * names the failure by its code alone (`ECONNREFUSED`, `ENOTDIR`, `NoSuchBucket`), since the full message names
 * the server's paths and addresses; that goes to the log, once when an outage starts and once when it ends.
 */
export function healthRoutes({
  cache,
  storage,
  log,
}: {
  cache: LookupCache;
  storage: PictureStorage;
  log: Pick<Console, 'warn'>;
}) {
  const down = new Set<string>();

  async function check(part: 'cache' | 'storage', kind: string, ping: () => Promise<void>): Promise<PartHealth> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PingTimeout(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([ping(), timeout]);
      if (down.delete(part)) log.warn(`[health] the ${part} (${kind}) is well again`);
      return { kind, ok: true };
    } catch (error) {
      if (!down.has(part)) log.warn(`[health] the ${part} (${kind}) is unwell: ${(error as Error).message}`);
      down.add(part);
      return { kind, ok: false, error: publicReason(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  return new Hono().get('/', async (c) => {
    const [cacheHealth, storageHealth] = await Promise.all([
      check('cache', cache.kind, () => cache.ping()),
      check('storage', storage.kind, () => storage.ping()),
    ]);
    const health: Health = { ok: cacheHealth.ok && storageHealth.ok, cache: cacheHealth, storage: storageHealth };
    return c.json(health, storageHealth.ok ? 200 : 503, { 'Cache-Control': 'no-store' });
  });
}

function publicReason(error: unknown): string {
  if (error instanceof PingTimeout) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)
    ? code
    : "unreachable (the service's log says why)";
}
