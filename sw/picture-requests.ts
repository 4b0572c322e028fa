/**
 * Which requests are profile pictures, and the cache key of each. A picture's copies have URLs that never change
 * (`/images/{user}/{version}/{width}.webp`, unsigned), so the URL is the key: each copy the page shows is its own
 * entry.
 */

/** A picture request, understood. */
export interface PictureRequest {
  /** The URL without its fragment. */
  key: string;
  userId: string;
  version: string;
}

// User ids follow contract/picture.ts; versions are hex content hashes; a copy is named by its width.
const PICTURE_PATH = /^\/images\/([A-Za-z0-9_-]{1,64})\/([0-9a-f]{16,64})\/\d{1,5}\.webp$/;

/** The picture `url` points to, or `undefined` when it is not one. */
export function pictureRequest(url: URL): PictureRequest | undefined {
  const match = PICTURE_PATH.exec(url.pathname);
  return match
    ? { key: `${url.origin}${url.pathname}${url.search}`, userId: match[1]!, version: match[2]! }
    : undefined;
}
