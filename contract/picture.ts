/**
 * The wire types shared by the image service and the page, and the rules both sides check. This module imports
 * nothing, and both `backend/` and `elements/` may import it.
 */

/** What a user id may be: it is a path segment and part of object keys. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What `PictureMeta.preview` may be: three colours as 18 lowercase hex digits, nothing else. The page writes it into a
 * style as it is, so the service stores no other and the page takes no other.
 */
export const PREVIEW_PATTERN = /^[0-9a-f]{18}$/;

/**
 * The widths, in pixels, of the square copies the service makes of every picture (WebP). They cover avatars of
 * 24–256 CSS px at device pixel ratios 1 and 2 with a copy at most 2.7× wider than shown, and give the most common
 * list size, 48 px, an exact copy at both ratios (64 at 1×, 96 at 2×). A picture smaller than a width gets no copy
 * wider than itself.
 */
export const VARIANT_WIDTHS = [64, 96, 128, 256, 512] as const;

/** The width `PictureMeta.url` names, for pages that read only `url`. */
export const DEFAULT_VARIANT_WIDTH = 256;

/** One square copy of a picture at one width, encoded by the service (never the upload's own bytes). */
export interface PictureVariant {
  /** Width and height in pixels. */
  width: number;
  /** Immutable: the same bytes forever, in every setup. */
  url: string;
  /** Its size in bytes. */
  bytes: number;
}

/** What `GET /api/pictures/:userId` answers: which picture is current for a user, and where its bytes are. */
export interface PictureMeta {
  userId: string;
  /** A content hash: a new upload is a new version, so nothing stale is served under one. */
  version: string;
  /**
   * The copy at `DEFAULT_VARIANT_WIDTH` (or the largest, when the picture is smaller): for pages that read only this.
   */
  url: string;
  /** The type of what `url` serves: `image/webp`. */
  contentType: string;
  /** Size of what `url` serves. */
  bytes: number;
  /** Until when this answer may be used, in milliseconds since the epoch; the URLs themselves never change. */
  expiresAt: number;
  /** Every copy of this version, narrowest first: a page renders them as `srcset` and the browser picks one. */
  variants: PictureVariant[];
  /**
   * The picture's colours in three bands, top to bottom, as 18 lowercase hex digits (`rrggbb` three times): a preview
   * of 9 bytes that a page draws as a CSS gradient while the picture loads, with no image to fetch or decode.
   */
  preview?: string;
}

/** What `GET /api/pictures?users=a,b` answers: `null` for a user with no picture. */
export interface PictureBatch {
  pictures: Record<string, PictureMeta | null>;
}

/** The machine-readable reason of an error. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_user_id'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'request_timeout'
  | 'payload_too_large'
  | 'unsupported_media_type'
  /** The client already holds as many uploads or event streams as one client may (429, `Retry-After`). */
  | 'too_many_requests'
  /** The service already holds as many uploads or event streams as it may for all clients (503, `Retry-After`). */
  | 'server_busy'
  /** The client went away before its upload's body had arrived; only the service's log and metrics see it. */
  | 'upload_aborted'
  | 'storage_unavailable'
  | 'cache_unavailable'
  | 'internal';

/** Every error the service answers has this body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The `picture-changed` Server-Sent Event: `version` is `null` after a delete. */
export interface PictureChangedEvent {
  userId: string;
  version: string | null;
}

/** What `GET /api/cache/stats` answers. Hits and misses are counted per user looked up. */
export interface CacheStats {
  backend: 'redis' | 'memory';
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRate: number;
  /** Users whose lookup is cached now. */
  keys: number;
}

/** What `GET /healthz` answers. */
export interface Health {
  ok: boolean;
  cache: PartHealth;
  storage: PartHealth;
}

export interface PartHealth {
  kind: string;
  ok: boolean;
  /** Why the part is unwell, when it is. */
  error?: string;
}
