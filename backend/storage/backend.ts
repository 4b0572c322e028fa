import type { PictureBytes } from './storage.ts';

/** What a stored object is, as its name says; the pointer is not one of them. */
export interface StoredName {
  /**
   * `copy`: one copy of a version. `original`: an upload kept from before copies were made. `unnamed`: a marker
   * saying that at its date the pointer did not name the version (it was replaced, removed, or not yet committed).
   * `temp`: a write that never finished (files only).
   */
  kind: 'copy' | 'original' | 'unnamed' | 'temp';
  /** The version it belongs to; a temp file has none. */
  version?: string;
  /** A copy's width. */
  width?: number;
  /** Its own name in the backend (a path, a key), which `discard` takes. */
  key: string;
}

/** A stored object and when it was last written, by the storage's clock, in milliseconds since the epoch. */
export interface StoredObject extends StoredName {
  modifiedAt: number;
}

/** Some of one user's objects, as a listing of one area (copies, originals, markers) finds them. */
export interface UserInventory {
  userId: string;
  objects: StoredName[];
}

/**
 * The objects one place keeps (a directory, a bucket), by name: what `createPictureStorage` builds every
 * PictureStorage from, so the rules about what is current and what may go are written once. Every method builds its
 * paths or keys from asserted parts, throws when the place cannot be reached, and keeps nothing in memory.
 */
export interface StorageBackend {
  readonly kind: 'files' | 'minio';
  /** The pointer's text and where it is (for messages), or `null` when the user has none. */
  readPointer(userId: string): Promise<{ text: string; where: string } | null>;
  /** Writes the pointer: the commit. All or nothing where the place allows it. */
  writePointer(userId: string, text: string): Promise<void>;
  deletePointer(userId: string): Promise<void>;
  writeCopy(userId: string, version: string, width: number, data: Uint8Array): Promise<void>;
  /** `null` when that copy is not stored. */
  readCopy(userId: string, version: string, width: number): Promise<PictureBytes | null>;
  /** `null` when no upload is kept for that version. */
  readOriginal(userId: string, version: string): Promise<Uint8Array | null>;
  removeOriginal(userId: string, version: string): Promise<void>;
  /** Writes a new `unnamed` marker for `version`, dated now: each call under a name of its own. */
  markUnnamed(userId: string, version: string): Promise<void>;
  /** Everything stored for the user but the pointer, each with its date. */
  list(userId: string): Promise<StoredObject[]>;
  /**
   * Every user with objects besides the pointer, area by area: a user with copies and markers comes once for each.
   * Without dates, so a listing of many users stays cheap.
   */
  inventory(): AsyncIterable<UserInventory>;
  /** Writes that never finished and belong to no user (files only), with their dates. */
  strays(): Promise<StoredObject[]>;
  /** Removes objects `list` or `strays` named; one already gone is no error. */
  discard(objects: readonly StoredName[]): Promise<void>;
  /** Throws when the place cannot be reached. */
  ping(): Promise<void>;
}
