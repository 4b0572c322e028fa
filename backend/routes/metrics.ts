import { Hono } from 'hono';
import type { Auth } from '../auth.ts';
import type { ServiceMetrics } from '../metrics/metrics.ts';

/**
 * `/metrics`: the service's counters in Prometheus' text format, for operators (`Authorization: Bearer ADMIN_TOKEN`).
 */
export function metricsRoutes({ metrics, auth }: { metrics: ServiceMetrics; auth: Auth }) {
  return new Hono().get('/', async (c) => {
    await auth.requireAdmin(c);
    return c.body(await metrics.registry.metrics(), 200, {
      'Content-Type': metrics.registry.contentType,
      'Cache-Control': 'no-store',
    });
  });
}
