import type { MiddlewareHandler } from 'hono';

export interface CorsOptions {
  /** Allowed origins; `['*']` allows any (no cookies are used, so that is safe for reads). */
  origins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/**
 * CORS for the API, and `Timing-Allow-Origin` for the same origins. Hono's `cors()` writes to `c.res.headers` before
 * the handler runs, which makes the Node adapter build every response twice: measured on a lookup over loopback, 8,700
 * requests/s with it against 20,000 with headers prepared through `c.header()` as here.
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const any = options.origins.includes('*');
  const allowed = new Set(options.origins);
  const methods = options.allowMethods.join(', ');
  const headers = options.allowHeaders.join(', ');
  const expose = options.exposeHeaders.join(', ');
  const maxAge = String(options.maxAgeSeconds);
  // An <img> sends no Origin, so the header names every allowed origin: the pages that may read our answers may also
  // learn from Resource Timing whether their cache served a picture (the dashboard's byte sources).
  const timingAllow = any ? '*' : options.origins.join(', ');
  return async function corsHeaders(c, next) {
    const origin = c.req.header('Origin');
    const allow = any ? '*' : origin && allowed.has(origin) ? origin : undefined;
    if (!any) c.header('Vary', 'Origin');
    if (c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method')) {
      const preflight: Record<string, string> = { 'Access-Control-Max-Age': maxAge };
      if (allow) {
        preflight['Access-Control-Allow-Origin'] = allow;
        preflight['Access-Control-Allow-Methods'] = methods;
        preflight['Access-Control-Allow-Headers'] = headers;
      }
      return c.body(null, 204, preflight);
    }
    if (allow) {
      c.header('Access-Control-Allow-Origin', allow);
      c.header('Access-Control-Expose-Headers', expose);
    }
    if (timingAllow) c.header('Timing-Allow-Origin', timingAllow);
    await next();
  };
}
