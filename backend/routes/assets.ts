import { Hono } from 'hono';
import { matchesETag } from './revalidate.ts';

/** A file the service serves as it is: the drop-in bundle (and later the service worker and the demo). */
export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** A strong tag of the content. */
  etag: string;
  /** The name carries a hash of the content, so it may be cached for good. */
  immutable: boolean;
}

/**
 * An asset that keeps its URL across versions is cached briefly: a reload within ten minutes asks nothing, and a
 * new version reaches every page within ten minutes (a 304 when nothing changed). One named by its hash never changes.
 */
const caching = {
  brief: 'public, max-age=600, stale-while-revalidate=86400',
  immutable: 'public, max-age=31536000, immutable',
};
/** A page is asked for again at each visit (a 304 when unchanged), so a new version of the site shows at once. */
const pageCaching = 'no-cache';

/** Serves each asset at `/{name}`, and the one named `''` (the demo's front page) at `/`. */
export function assetRoutes({ assets }: { assets: ReadonlyMap<string, Asset> }) {
  const app = new Hono();
  // A route per asset, not one `/:name?`: a parameter at the root overlaps the service's other routes, and Hono then
  // routes every request with its TrieRouter instead of its RegExpRouter, a few µs more for each.
  for (const [name, asset] of assets) {
    const cacheControl = asset.immutable
      ? caching.immutable
      : asset.contentType.startsWith('text/html')
        ? pageCaching
        : caching.brief;
    const headers = { ETag: asset.etag, 'Cache-Control': cacheControl };
    app.get(`/${name}`, (c) => {
      if (matchesETag(c, asset.etag)) return c.body(null, 304, headers);
      return c.body(asset.body, 200, { ...headers, 'Content-Type': asset.contentType });
    });
  }
  return app;
}

/** An asset from its bytes, tagged by their SHA-256; `immutable` when its name carries a hash. */
export async function toAsset(body: Uint8Array<ArrayBuffer>, contentType: string, immutable = false): Promise<Asset> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const hex = Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
  return { body, contentType, etag: `"${hex}"`, immutable };
}
