import type { PictureMeta, PictureVariant } from '../../contract/picture.ts';
import { isPreview, isWebUrl } from './trusted.ts';

/**
 * What a layer keeps for one user: the metadata, or `null` when the user is known to have no picture, and until
 * when the layer may answer with it (its own TTL, never past the URL's usable life).
 */
export interface CachedEntry {
  meta: PictureMeta | null;
  /** Milliseconds since the epoch. */
  freshUntil: number;
}

/** A URL is not handed to an `<img>` within this long of its expiry: the picture could die on screen. */
export const URL_MARGIN_MS = 5 * 60_000;

/** Whether `meta.url` may still be shown at `now`. */
export function urlUsable(meta: PictureMeta | null, now: number): boolean {
  return !meta || meta.expiresAt - URL_MARGIN_MS > now;
}

/**
 * Whether `value`, read back from storage, is an entry of `userId` the page may use: checked as if it came from the
 * network (see {@link isMetaOf}), since another script of the origin (or an older version of this one) may have
 * written it.
 */
export function isEntryOf(userId: string, value: unknown): value is CachedEntry {
  const { meta, freshUntil } = (value ?? {}) as Record<string, unknown>;
  return typeof freshUntil === 'number' && (meta === null || isMetaOf(userId, meta));
}

/**
 * Whether `meta` is a picture of `userId` the page may show: every field it uses, every URL absolute http(s), the
 * preview three colours in hex (trusted.ts). Metadata kept before the service made copies has no `variants` and
 * shows through `url` alone.
 */
export function isMetaOf(userId: string, meta: unknown): meta is PictureMeta {
  const m = (meta ?? {}) as Partial<Record<keyof PictureMeta, unknown>>;
  return (
    m.userId === userId &&
    typeof m.version === 'string' &&
    isWebUrl(m.url) &&
    typeof m.bytes === 'number' &&
    typeof m.expiresAt === 'number' &&
    (m.variants === undefined || (Array.isArray(m.variants) && m.variants.every(isVariant))) &&
    (m.preview === undefined || isPreview(m.preview))
  );
}

/** A copy the page can name in `srcset`: its URL, a whole width (the browser drops any other) and its size. */
function isVariant(value: unknown): value is PictureVariant {
  const v = (value ?? {}) as Partial<Record<keyof PictureVariant, unknown>>;
  return isWebUrl(v.url) && Number.isInteger(v.width) && typeof v.bytes === 'number';
}
