/** One stored copy of a version: its width in pixels (it is square) and size. Every copy is `image/webp`. */
export interface StoredVariant {
  width: number;
  bytes: number;
}

/** The user's current picture as the storage keeps it: the source of truth that outlives any cache. */
export interface StoredPicture {
  version: string;
  /** When it was stored, in milliseconds since the epoch. */
  updatedAt: number;
  /**
   * The copies, narrowest first. Absent on a picture stored before copies were made: its upload is kept as it was
   * (`readOriginal`) until the service makes its copies.
   */
  variants?: StoredVariant[];
  /** A `data:image/webp` preview of a few dozen bytes. */
  placeholder?: string;
}

/** A copy's bytes, streamed. */
export interface PictureBytes {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  bytes: number;
}

/** The one type every copy has. */
export const VARIANT_TYPE = 'image/webp';

/**
 * Pictures and the pointer to each user's current version. Implementations: files under a directory,
 * and any S3 (MinIO). Every method throws when the storage cannot be reached; the caller turns that into 503.
 */
export interface PictureStorage {
  readonly kind: 'files' | 'minio';
  /**
   * Stores a version's copies (`files[i]` holds `picture.variants[i]`), makes it the user's current picture, and
   * only then removes what the previous version kept. Storing the version that is already current with its copies
   * is a no-op. With `onlyIf`, nothing is committed unless the current version is still that one (copies made for a
   * picture that a newer upload replaced meanwhile are dropped instead).
   */
  put(userId: string, picture: StoredPicture, files: readonly Uint8Array[], options?: { onlyIf?: string }): Promise<void>;
  /** The user's current picture, or `null` when there is none. */
  current(userId: string): Promise<StoredPicture | null>;
  /** The bytes of one copy of a version, or `null` when it is not stored. */
  read(userId: string, version: string, width: number): Promise<PictureBytes | null>;
  /** The upload kept for a version stored before copies were made, or `null` when there is none. */
  readOriginal(userId: string, version: string): Promise<Uint8Array | null>;
  /** Removes the current picture and its bytes; answers what was removed, `null` when there was none. */
  remove(userId: string): Promise<StoredPicture | null>;
  /** Throws when the storage cannot be reached. */
  ping(): Promise<void>;
}
