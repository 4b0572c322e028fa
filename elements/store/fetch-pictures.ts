import type { PictureBatch, PictureMeta } from '../../contract/picture.ts';
import { isMetaOf } from './entry.ts';

/** The most users the service answers in one batch. */
const MAX_BATCH = 100;

/**
 * Asks the service which picture is current for each user: one `GET {apiBase}/pictures?users=…` per 100 users,
 * all in parallel. Users of a chunk that failed are missing from the answer, and so is a user whose picture the page
 * cannot trust (see `isMetaOf`): each fails alone. Throws when every chunk failed, or an answer is malformed.
 */
export async function fetchPictures(
  apiBase: string,
  userIds: readonly string[],
  fetcher: typeof fetch = fetch,
): Promise<Map<string, PictureMeta | null>> {
  const chunks: string[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_BATCH) chunks.push(userIds.slice(i, i + MAX_BATCH));
  const settled = await Promise.allSettled(
    chunks.map(async (chunk) => {
      const res = await fetcher(`${apiBase}/pictures?users=${chunk.map(encodeURIComponent).join(',')}`);
      if (!res.ok) throw new Error(`The picture service answered ${res.status} for ${chunk.length} users`);
      return {
        chunk,
        pictures: ((await res.json()) as PictureBatch).pictures,
        base: res.url || new URL(apiBase, location.href).href,
      };
    }),
  );
  // A chunk that failed leaves its users out (their callers fail); the others are answered.
  const pictures = new Map<string, PictureMeta | null>();
  for (const result of settled) {
    if (result.status === 'rejected') continue;
    const { chunk, pictures: answered, base } = result.value;
    for (const userId of chunk) {
      // An own property only: `__proto__` or `constructor` is a user id, never Object.prototype's. An answer that is
      // not even an object (or names a URL that does not parse) throws: no user of this call is answered.
      const meta = Object.hasOwn(answered, userId) ? answered[userId] : null;
      const resolved = meta ? resolveUrls(meta, base) : null;
      if (!resolved || isMetaOf(userId, resolved)) pictures.set(userId, resolved);
    }
  }
  if (!pictures.size && settled[0]?.status === 'rejected') throw settled[0].reason;
  return pictures;
}

/**
 * The service names its pictures by path unless its operator set a public address: kept absolute, against the URL
 * that answered, so they work on a page of another origin and in every layer that keeps them.
 */
function resolveUrls(meta: PictureMeta, base: string): PictureMeta {
  const resolve = (url: string) => new URL(url, base).href;
  return {
    ...meta,
    url: resolve(meta.url),
    variants: meta.variants?.map((variant) => ({ ...variant, url: resolve(variant.url) })),
  };
}
