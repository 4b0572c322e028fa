import { Hono } from 'hono';
import type { CacheStats } from '../../contract/picture.ts';
import type { Auth } from '../auth.ts';
import type { LookupCache } from '../cache/cache.ts';
import { cacheUnavailable } from '../errors.ts';
import { checkUserId } from '../user-id.ts';

/** `/api/cache`: the lookup cache's counters, and dropping one user's entry (operators only). */
export function cacheRoutes({ cache, auth }: { cache: LookupCache; auth: Auth }) {
  return new Hono()
    .get('/stats', async (c) => {
      const { hits, misses, keys } = await cache.stats().catch((error) => {
        throw cacheUnavailable(error);
      });
      const stats: CacheStats = {
        backend: cache.kind,
        hits,
        misses,
        hitRate: hits + misses ? hits / (hits + misses) : 0,
        keys,
      };
      return c.json(stats, 200, { 'Cache-Control': 'no-store' });
    })
    .delete('/:userId', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      await auth.requireAdmin(c);
      await cache.delete(userId).catch((error) => {
        throw cacheUnavailable(error);
      });
      return c.body(null, 204);
    });
}
