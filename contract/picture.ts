/**
 * The wire types shared by the image service and the page, and the one rule both sides check. This module imports
 * nothing, and both `backend/` and `elements/` may import it.
 */

/** What a user id may be: it is a path segment and part of object keys. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What `GET /api/pictures/:userId` answers: which picture is current for a user, and where its bytes are. */
export interface PictureMeta {
  userId: string;
  /** A content hash of the bytes: a new upload is a new version, so nothing stale is served under one. */
  version: string;
  /** A URL that stays the same for its lifetime, so the browser's HTTP cache can serve it. */
  url: string;
  /** The sniffed media type, e.g. `image/webp`. */
  contentType: string;
  /** Size of the stored bytes. */
  bytes: number;
  /** When `url` stops working, in milliseconds since the epoch. */
  expiresAt: number;
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
