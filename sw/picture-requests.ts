/**
 * Which requests are profile pictures, and the cache key of each: the picture's path without its signature, so a
 * presigned URL signed again for the same version finds the same entry.
 */

/** A picture request, understood. */
export interface PictureRequest {
  /** Origin, path and any parameters that are not a signature's, sorted. */
  key: string;
  userId: string;
  version: string;
}

// The service's own route, and an object in any bucket of an S3 store (`/{bucket}/pictures/{user}/{version}`).
// User ids follow contract/picture.ts; versions are hex content hashes.
const PICTURE_PATHS = [/^\/images\/([A-Za-z0-9_-]{1,64})\/([0-9a-f]{16,64})$/, /^\/[^/]+\/pictures\/([A-Za-z0-9_-]{1,64})\/([0-9a-f]{16,64})$/];

/** Query parameters that sign a URL rather than name what it points to (SigV4, SigV2, and the response overrides a signer may add). */
const isSignatureParameter = (name: string) => /^x-amz-/i.test(name) || ['Signature', 'Expires', 'AWSAccessKeyId'].includes(name);

/** The picture `url` points to, or `undefined` when it is not one. */
export function pictureRequest(url: URL): PictureRequest | undefined {
  for (const pattern of PICTURE_PATHS) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    const kept = [...url.searchParams].filter(([name]) => !isSignatureParameter(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const search = kept.length ? `?${new URLSearchParams(kept)}` : '';
    return { key: `${url.origin}${url.pathname}${search}`, userId: match[1]!, version: match[2]! };
  }
  return undefined;
}

