import type { PictureMeta } from '../../contract/picture.ts';

/**
 * What a layer keeps for one user: the metadata, or `null` when the user is known to have no picture, and until
 * when the layer may answer with it (its own TTL, never past the URL's usable life).
 */
export interface CachedEntry {
  meta: PictureMeta | null;
  /** Milliseconds since the epoch. */
  freshUntil: number;
}

/** A layer that answers in the same task: memory and LocalStorage. A failed read is a miss, never a throw. */
export interface SyncLayer {
  readonly name: 'memory' | 'localStorage';
  get(userId: string, now: number): CachedEntry | undefined;
  set(userId: string, entry: CachedEntry): void;
  delete(userId: string): void;
  clear(): void;
}

/** A URL is not handed to an `<img>` within this long of its expiry: the picture could die on screen. */
export const URL_MARGIN_MS = 5 * 60_000;

/** Whether `meta.url` may still be shown at `now`. */
export function urlUsable(meta: PictureMeta | null, now: number): boolean {
  return !meta || meta.expiresAt - URL_MARGIN_MS > now;
}
