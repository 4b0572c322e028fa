/** The user's current picture as the storage keeps it: the source of truth that outlives any cache. */
export interface StoredPicture {
  version: string;
  contentType: string;
  bytes: number;
  /** When it was stored, in milliseconds since the epoch. */
  updatedAt: number;
}

/** Where a version's bytes can be fetched, and until when. */
export interface PictureLocation {
  /** Absolute (object store) or a path on this service (`/images/...`), resolved against the request. */
  url: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A version's bytes, streamed. */
export interface PictureBytes {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  bytes: number;
}

/**
 * Pictures and the pointer to each user's current version. Implementations: files under a directory,
 * and any S3 (MinIO). Every method throws when the storage cannot be reached; the caller turns that into 503.
 */
export interface PictureStorage {
  readonly kind: 'files' | 'minio';
  /**
   * Stores `data` under its content-addressed version, makes it the user's current picture, and only
   * then removes the previous version's bytes. Storing the version that is already current is a no-op.
   */
  put(userId: string, picture: StoredPicture, data: Uint8Array): Promise<void>;
  /** The user's current picture, or `null` when there is none. */
  current(userId: string): Promise<StoredPicture | null>;
  /** A URL for the bytes, valid at least until `expiresAt`; computed without a network call. */
  locate(userId: string, picture: StoredPicture, now: number): Promise<PictureLocation>;
  /** The bytes of one version, or `null` when that version is not stored. */
  read(userId: string, version: string): Promise<PictureBytes | null>;
  /** Removes the current picture and its bytes; answers what was removed, `null` when there was none. */
  remove(userId: string): Promise<StoredPicture | null>;
  /** Throws when the storage cannot be reached. */
  ping(): Promise<void>;
}
