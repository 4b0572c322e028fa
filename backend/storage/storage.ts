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
  /** The picture's colours in three bands, as `PictureMeta.preview` carries them. */
  preview?: string;
  /**
   * The 16-px `data:image/webp` preview that pictures stored before `preview` carry instead; lookups turn it into
   * `preview`.
   */
  placeholder?: string;
}

/** A copy's bytes: streamed, or, for a copy small enough to read at once, whole. */
export interface PictureBytes {
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>;
  contentType: string;
  bytes: number;
}

/**
 * A copy up to this size is read whole and answered as its bytes rather than streamed: most copies are a few KB, and
 * a stream per request cost more than reading them (whole, the `/images/` route answered 1.5-2.3x the requests
 * per second).
 */
export const WHOLE_COPY_BYTES = 64 * 1024;

/** The one type every copy has. */
export const VARIANT_TYPE = 'image/webp';

/** What one sweep did. */
export interface SweepReport {
  /** Users whose objects were looked at one by one (the others hold only their current picture). */
  users: number;
  /** Objects removed, by kind. */
  removed: { copy: number; original: number; unnamed: number; temp: number };
  /** Users left alone because their pointer could not be read nor repaired. */
  skipped: number;
}

/**
 * Pictures and the pointer to each user's current version. Implementations: files under a directory,
 * and any S3 (MinIO), both built by `createPictureStorage` over their objects. Every method throws when the storage
 * cannot be reached; the caller turns that into 503.
 *
 * Bytes a lookup may have named are never removed by the change that stops naming them: a cached lookup (or a page
 * holding its answer) may still name them. The change records the moment instead (an `unnamed` marker, written before
 * the commit), and `sweep` removes them once that moment is older than its grace period.
 */
export interface PictureStorage {
  readonly kind: 'files' | 'minio';
  /**
   * Stores a version's copies (`files[i]` holds `picture.variants[i]`) and makes it the user's current picture; the
   * version it replaces is marked unnamed (kept for `sweep`). Storing the version that is already current with its
   * copies is a no-op. With `onlyIf`, nothing is committed unless the current version is still that one (copies made
   * for a picture that a newer upload replaced meanwhile are dropped instead). An upload kept from before copies were
   * made, which no lookup ever names, is removed as soon as the commit no longer needs it.
   */
  put(
    userId: string,
    picture: StoredPicture,
    files: readonly Uint8Array[],
    options?: { onlyIf?: string },
  ): Promise<void>;
  /**
   * The user's current picture, or `null` when there is none. A pointer that cannot be read (cut short by a crash on
   * a store whose writes are not atomic) gives the newest version whose copies are all there, logged, and is
   * rewritten to name it when it is still unreadable; with no such version, it throws.
   */
  current(userId: string): Promise<StoredPicture | null>;
  /** The bytes of one copy of a version, or `null` when it is not stored. */
  read(userId: string, version: string, width: number): Promise<PictureBytes | null>;
  /** The upload kept for a version stored before copies were made, or `null` when there is none. */
  readOriginal(userId: string, version: string): Promise<Uint8Array | null>;
  /**
   * Removes the current picture: lookups answer "no picture" at once, its copies are marked unnamed (kept for `sweep`).
   * Answers what was removed, `null` when there was none.
   */
  remove(userId: string): Promise<StoredPicture | null>;
  /**
   * Removes what no pointer names once it, and the marker saying so, are older than `graceMs`: replaced and removed
   * versions, copies of uploads that never committed, and writes that never finished. Safe to run from several
   * instances at once, and again after a crash; `now` is for tests.
   */
  sweep(options: { graceMs: number; now?: number; signal?: AbortSignal }): Promise<SweepReport>;
  /** Throws when the storage cannot be reached. */
  ping(): Promise<void>;
}
