import type { MiddlewareHandler } from 'hono';
import type { ErrorCode } from '../../contract/picture.ts';
import type { ServiceMetrics } from './metrics.ts';

const LOOKUPS = '/api/pictures';

/**
 * Counts lookups by the `X-Cache` their route answered, times them, and counts uploads and those in flight. Cheap
 * on the hot path: a clock read and a few additions per request.
 */
export function observeRequests(metrics: ServiceMetrics): MiddlewareHandler {
  return async (c, next) => {
    const { method, path } = c.req;
    if (!path.startsWith(LOOKUPS)) return next();
    const started = performance.now();
    const batch = path === LOOKUPS || path === `${LOOKUPS}/`;
    const upload = method === 'PUT' && !batch;
    if (upload) metrics.uploadsInFlight.inc();
    try {
      await next();
    } finally {
      if (upload) metrics.uploadsInFlight.dec();
    }
    const status = c.res.status;
    if (upload) metrics.uploads.inc({ outcome: status < 400 ? 'stored' : status < 500 ? 'refused' : 'failed' });
    const result = method === 'GET' ? c.res.headers.get('X-Cache') : null;
    if (!result) return;
    const kind = batch ? 'batch' : 'single';
    metrics.lookups.inc({ kind, result: result.toLowerCase() });
    metrics.lookupSeconds.observe({ kind }, (performance.now() - started) / 1000);
    if (batch) metrics.batchSize.observe(c.req.query('users')?.split(',').length ?? 0);
    if (result === 'BYPASS') metrics.partErrors.inc({ part: 'cache' });
  };
}

/** Counts a request the app answered with an error: a refusal by its code, and the part that failed, if one did. */
export function observeError(metrics: ServiceMetrics, code: ErrorCode): void {
  if (code === 'not_found') return;
  metrics.refusals.inc({ reason: code });
  if (code === 'storage_unavailable') metrics.partErrors.inc({ part: 'storage' });
  if (code === 'cache_unavailable') metrics.partErrors.inc({ part: 'cache' });
}
