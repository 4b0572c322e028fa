// A compromised image service, for tests: a real HTTP server on 127.0.0.1 (another origin than the test pages) that
// answers metadata naming what a page must never show, and serves pictures as SVG, HTML or with any Cache-Control.
// The browser tests reach it through the plugin at the end (web-test-runner.config.mjs), and
// elements/testing/hostile.ts.
import { createServer } from 'node:http';

/** A real 1×1 PNG: what an honest picture is here. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
/** An honest preview: three colours. */
const PREVIEW = '5a4a3ad9b59a2f4f7f';
/** Script in a picture: runs wherever the browser renders it as a document (a tab, an iframe), never in an `<img>`. */
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" onload="top.hostileRan=1"><script>top.hostileRan=1</script><rect width="8" height="8"/></svg>';
const HTML = '<!doctype html><script>top.hostileRan=1</script>';
const BODIES = { png: ['image/png', PNG], svg: ['image/svg+xml', SVG], html: ['text/html', HTML], none: ['', PNG] };
/** Every picture's version here (`HOSTILE_VERSION` in hostile.ts). */
const VERSION = '0123456789abcdef0123456789abcdef';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * What `GET /{scenario}/…/api/pictures?users=…` answers for each user (`null`: no picture). `good` is an honest
 * answer whose copies are served as PNG; every other scenario changes one thing of it.
 */
const SCENARIOS = {
  good: (meta) => meta,
  'svg-url': (meta) => ({ ...meta, url: `data:image/svg+xml,${SVG}` }),
  'script-url': (meta) => ({ ...meta, url: 'javascript:top.hostileRan=1' }),
  'svg-copy': (meta) => ({
    ...meta,
    variants: [{ ...meta.variants[0], url: `data:image/svg+xml,${encodeURIComponent(SVG)}` }],
  }),
  'html-copy': (meta) => ({
    ...meta,
    variants: [{ ...meta.variants[0], url: `data:text/html,${encodeURIComponent(HTML)}` }],
  }),
  'svg-preview': (meta) => ({ ...meta, preview: `data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}` }),
  // Written into a style as it is, it would fetch from wherever it names.
  'css-preview': (meta) => ({ ...meta, preview: `${PREVIEW.slice(0, 12)});background:url(/track)` }),
  'svg-bytes': (meta) => withType(meta, 'svg'),
  'html-bytes': (meta) => withType(meta, 'html'),
  'untyped-bytes': (meta) => withType(meta, 'none'),
  'another-user': (meta) => ({ ...meta, userId: `${meta.userId}-not` }),
};

/** The picture's copies, served as `type`. */
function withType(meta, type) {
  const retype = (url) => url.replace('type=png', `type=${type}`);
  return {
    ...meta,
    url: retype(meta.url),
    variants: meta.variants.map((variant) => ({ ...variant, url: retype(variant.url) })),
  };
}

/**
 * Starts the service on a free port of 127.0.0.1.
 *
 * - `GET /{scenario}/…/api/pictures?users=a,b`: a batch answer per {@link SCENARIOS}; `empty` answers no user at all,
 *   `own-proto` names `__proto__` as an own key, `not-an-object` answers `{"pictures": null}`.
 * - `GET /images/{user}/{version}/{width}.webp?type=png|svg|html|none&cc=…`: the picture as that type, with that
 *   `Cache-Control` (default immutable for a year).
 * - `PUT …/pictures/{user}`: `201` with the picture's metadata.
 * - `GET /__seen`: the requests received (`METHOD path`), `DELETE /__seen` forgets them.
 *
 * @returns {Promise<{ base: string, stop(): Promise<void> }>}
 */
async function startHostileService() {
  const seen = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cors = { 'Access-Control-Allow-Origin': '*', 'Timing-Allow-Origin': '*' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, PUT, DELETE',
        'Access-Control-Allow-Headers': 'authorization, content-type',
      });
      return res.end();
    }
    const json = (status, body, text = JSON.stringify(body)) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(text);
    };
    if (url.pathname === '/__seen') {
      if (req.method === 'DELETE') seen.length = 0;
      return json(200, { seen });
    }
    seen.push(`${req.method} ${req.url}`);
    for await (const _ of req); // the body, if any, is not kept
    const picture = /^\/images\/([^/]+)\/[0-9a-f]+\/\d+\.webp$/.exec(url.pathname);
    if (req.method === 'GET' && picture) {
      const [type, body] = BODIES[url.searchParams.get('type') ?? 'png'] ?? BODIES.png;
      res.writeHead(200, {
        ...cors,
        ...(type && { 'Content-Type': type }),
        'Cache-Control': url.searchParams.get('cc') ?? IMMUTABLE,
      });
      return res.end(body);
    }
    const upload = /\/pictures\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PUT' && upload) return json(201, metaOf(base, decodeURIComponent(upload[1])));
    const [, scenario] = url.pathname.split('/');
    if (req.method === 'GET' && url.pathname.endsWith('/api/pictures')) {
      const users = (url.searchParams.get('users') ?? '').split(',').filter(Boolean);
      if (scenario === 'empty') return json(200, { pictures: {} });
      if (scenario === 'not-an-object') return json(200, { pictures: null });
      // JSON.stringify of an object never writes an own `__proto__`: written out, as a hostile server would.
      if (scenario === 'own-proto')
        return json(200, undefined, `{"pictures": {"__proto__": ${JSON.stringify(metaOf(base, '__proto__'))}}}`);
      const change = SCENARIOS[scenario];
      if (change)
        return json(200, { pictures: Object.fromEntries(users.map((user) => [user, change(metaOf(base, user))])) });
    }
    json(404, { error: { code: 'not_found', message: 'nothing here' } });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An honest answer for `userId`: a version, two copies served as PNG, a preview. */
function metaOf(base, userId) {
  const copy = (width) => ({
    width,
    url: `${base}/images/${encodeURIComponent(userId)}/${VERSION}/${width}.webp?type=png`,
    bytes: PNG.length,
  });
  return {
    userId,
    version: VERSION,
    url: copy(256).url,
    contentType: 'image/webp',
    bytes: PNG.length,
    expiresAt: Date.now() + 3_600_000,
    variants: [copy(64), copy(256)],
    preview: PREVIEW,
  };
}

/**
 * The service as a web-test-runner plugin: started with the test server, its address answered at `/__hostile`.
 *
 * @returns {import('@web/test-runner').TestRunnerPlugin}
 */
export function hostileServicePlugin() {
  let service;
  return {
    name: 'hostile-image-service',
    async serverStart() {
      service = await startHostileService();
    },
    async serverStop() {
      await service?.stop();
    },
    serve(context) {
      if (context.path === '/__hostile') return { body: JSON.stringify({ base: service.base }), type: 'json' };
    },
  };
}
