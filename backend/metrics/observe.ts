import type { MiddlewareHandler } from 'hono';
import type { ErrorCode } from '../../contract/picture.ts';
import type { CacheStatus } from '../pictures.ts';
import type { ServiceMetrics } from './metrics.ts';

const UPLOADS = '/api/pictures/';

/** Counts uploads by outcome, and those in flight. */
export function observeUploads(metrics: ServiceMetrics): MiddlewareHandler {
  return async (c, next) => {
    const { method, path } = c.req;
    if (method !== 'PUT' || !path.startsWith(UPLOADS) || path.length === UPLOADS.length) return next();
    metrics.uploadsInFlight.inc();
    try {
      await next();
    } finally {
      metrics.uploadsInFlight.dec();
    }
    const status = c.res.status;
    metrics.uploads.inc({ outcome: status < 400 ? 'stored' : status < 500 ? 'refused' : 'failed' });
  };
}

/**
 * Counts a lookup by how the cache answered it and times it from `startedMs` (a `performance.now()`); a batch also by
 * the users it named. Cheap on the hot path: a clock read and a few additions, with labels made once.
 */
export type LookupObserver = (
  kind: 'single' | 'batch',
  result: CacheStatus,
  startedMs: number,
  batchUsers?: number,
) => void;

/** The {@link LookupObserver} that counts into `metrics`. */
export function observeLookups(metrics: ServiceMetrics): LookupObserver {
  const labels = (kind: 'single' | 'batch') => ({
    kind: { kind },
    HIT: { kind, result: 'hit' },
    MISS: { kind, result: 'miss' },
    BYPASS: { kind, result: 'bypass' },
  });
  const byKind = { single: labels('single'), batch: labels('batch') };
  const cachePart = { part: 'cache' };
  return (kind, result, startedMs, batchUsers) => {
    const of = byKind[kind];
    metrics.lookups.inc(of[result]);
    metrics.lookupSeconds.observe(of.kind, (performance.now() - startedMs) / 1000);
    if (batchUsers !== undefined) metrics.batchSize.observe(batchUsers);
    if (result === 'BYPASS') metrics.partErrors.inc(cachePart);
  };
}

/** Counts a request the app answered with an error: a refusal by its code, and the part that failed, if one did. */
export function observeError(metrics: ServiceMetrics, code: ErrorCode): void {
  if (code === 'not_found') return;
  metrics.refusals.inc({ reason: code });
  if (code === 'storage_unavailable') metrics.partErrors.inc({ part: 'storage' });
  if (code === 'cache_unavailable') metrics.partErrors.inc({ part: 'cache' });
}
