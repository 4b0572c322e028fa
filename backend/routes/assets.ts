import { Hono } from 'hono';
import { matchesETag } from './revalidate.ts';

/** A file the service serves as it is: the drop-in bundle (and later the service worker and the demo). */
export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** A strong tag of the content. */
  etag: string;
}

/**
 * Assets keep one URL across versions, so they may be cached briefly: a reload within ten minutes asks nothing,
 * and a new version reaches every page within ten minutes (a 304 when nothing changed).
 */
const caching = 'public, max-age=600, stale-while-revalidate=86400';

/** Serves each asset at `/{name}`. */
export function assetRoutes({ assets }: { assets: ReadonlyMap<string, Asset> }) {
  return new Hono().get('/:name', async (c, next) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return next();
    const headers = { ETag: asset.etag, 'Cache-Control': caching };
    if (matchesETag(c, asset.etag)) return c.body(null, 304, headers);
    return c.body(asset.body, 200, { ...headers, 'Content-Type': asset.contentType });
  });
}

/** An asset from its bytes, tagged by their SHA-256. */
export async function toAsset(body: Uint8Array<ArrayBuffer>, contentType: string): Promise<Asset> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const hex = Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
  return { body, contentType, etag: `"${hex}"` };
}
