/**
 * The Static Routing API's rules (`InstallEvent.addRoutes`, Chromium 123+): the browser sends every request the
 * worker has nothing to do with straight to the network, without starting the worker or running its fetch handler.
 * They mirror what the fetch handler takes (picture-requests.ts, site-cache.ts, upload-queue.ts), more broadly: a
 * request the rules let through and the handler does not take still goes to the network, only a little later.
 * https://developer.chrome.com/blog/service-worker-static-routing
 */

/** The URL Pattern API (in Chromium since 95; not in TypeScript's library yet). */
interface UrlPattern {
  readonly pathname: string;
}
declare const URLPattern: new (init: { pathname?: string; baseURL?: string }) => UrlPattern;

/** One rule, as `addRoutes` takes it. */
export interface RouterRule {
  condition: RouterCondition;
  source: 'network' | 'fetch-event' | 'race-network-and-fetch-handler';
}

export type RouterCondition = { urlPattern: UrlPattern; requestMethod?: string } | { or: RouterCondition[] };

/** A pattern on the path alone, for any origin: pictures and the bundle may come from another host. */
const anyOrigin = (pathname: string) => new URLPattern({ pathname });

/** A literal path as a pattern: the characters that mean something in a pattern are escaped. */
const literal = (path: string) => path.replace(/[:*()+?{}\\]/g, '\\$&');

/**
 * The rules for a worker on `origin` that precaches `precache` (same-origin paths) and keeps the pictures and
 * uploads of the image service's `imageOrigins` (the rest of those paths, on other hosts, go straight to the network).
 */
export function staticRoutes(
  precache: readonly string[],
  origin: string,
  imageOrigins: readonly string[],
): RouterRule[] {
  const get = (urlPattern: UrlPattern) => ({ urlPattern, requestMethod: 'GET' });
  const on = (baseURL: string) => (pathname: string) => new URLPattern({ pathname, baseURL });
  const images = imageOrigins.map(on);
  return [
    {
      // The bundle and its modules: the HTTP cache answers them online without waiting for the worker to start, and
      // the worker's copy when the network fails. Both fetch, but from the HTTP cache, where the bundle stays 10 min.
      condition: { or: [get(anyOrigin('/cached-profile-picture*.js')), get(anyOrigin('/sw-registration.js'))] },
      source: 'race-network-and-fetch-handler',
    },
    {
      condition: {
        or: [
          ...images.map((pattern) => get(pattern('/images/:user/:version/:width.webp'))),
          ...precache.map((pathname) => get(on(origin)(literal(pathname)))),
          ...images.map((pattern) => ({ urlPattern: pattern('*/pictures/:user'), requestMethod: 'PUT' })),
        ],
      },
      source: 'fetch-event',
    },
    { condition: { urlPattern: new URLPattern({}) }, source: 'network' },
  ];
}
