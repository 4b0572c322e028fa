// A page under a strict Content-Security-Policy, for the browser tests of what such a site still shows:
// `/__csp?module=/path/to/module.ts` answers an empty page that loads that module, sent with
// `Content-Security-Policy: style-src 'self'`. Style attributes and <style> elements are refused there; the CSSOM,
// constructed stylesheets (Lit's) and stylesheets from the origin still apply. Used by web-test-runner.config.mjs.

/** The policy the page is sent with: no 'unsafe-inline', as strict sites and many CMSs set it. */
export const STRICT_STYLE_POLICY = "style-src 'self'";

/** Dev-server middleware answering `/__csp`. */
export function cspPage(ctx, next) {
  if (ctx.path !== '/__csp') return next();
  const module = String(ctx.query.module ?? '');
  if (!/^\/[\w./-]+$/.test(module)) {
    ctx.status = 400;
    ctx.body = 'module: a path on this server';
    return;
  }
  ctx.set('Content-Security-Policy', STRICT_STYLE_POLICY);
  ctx.type = 'html';
  ctx.body = `<!doctype html><meta charset="utf-8"><title>Strict page</title><script type="module" src="${module}"></script>`;
}
