import { USER_ID } from '../user-id.ts';
import type { StoredPicture } from './storage.ts';

/** Versions are content hashes in lowercase hex (the service uses 32 digits). */
const VERSION = /^[0-9a-f]{1,128}$/;
/** A bare media type such as `image/webp`: it is written into a header, so no spaces, CR or LF. */
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/** Whether `version` could name stored bytes; anything else is simply not stored. */
export function isVersion(version: string): boolean {
  return VERSION.test(version);
}

/** Throws unless `userId` is safe to put in a path; the caller validates first, this is the last guard. */
export function assertUserId(userId: string): void {
  if (typeof userId !== 'string' || !USER_ID.test(userId)) {
    throw new TypeError(`Invalid user id ${JSON.stringify(String(userId).slice(0, 80))}: expected ${USER_ID}.`);
  }
}

/** Throws unless `version` is lowercase hex, so it is safe to put in a path. */
export function assertVersion(version: string): void {
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new TypeError(`Invalid version ${JSON.stringify(String(version).slice(0, 80))}: expected lowercase hex.`);
  }
}

/** Throws unless `picture` is a well-formed StoredPicture (and, given `data`, describes those bytes). */
export function assertStoredPicture(picture: StoredPicture, data?: Uint8Array): void {
  assertVersion(picture.version);
  if (typeof picture.contentType !== 'string' || !CONTENT_TYPE.test(picture.contentType)) {
    throw new TypeError(`Invalid content type ${JSON.stringify(String(picture.contentType).slice(0, 80))}.`);
  }
  if (!Number.isSafeInteger(picture.bytes) || picture.bytes < 0) {
    throw new TypeError(`Invalid size ${picture.bytes}.`);
  }
  if (!Number.isFinite(picture.updatedAt)) throw new TypeError(`Invalid updatedAt ${picture.updatedAt}.`);
  if (data && data.byteLength !== picture.bytes) {
    throw new TypeError(`picture.bytes is ${picture.bytes} but ${data.byteLength} bytes were given.`);
  }
}

/** The pointer as stored: exactly the four fields, so nothing else leaks into the file or object. */
export function encodePointer(picture: StoredPicture): string {
  const { version, contentType, bytes, updatedAt } = picture;
  return JSON.stringify({ version, contentType, bytes, updatedAt });
}

/** Parses a stored pointer; a malformed one throws (it means something other than this code wrote it). */
export function decodePointer(text: string, where: string): StoredPicture {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Corrupt picture pointer ${where}: not JSON.`);
  }
  const { version, contentType, bytes, updatedAt } = (value ?? {}) as Partial<StoredPicture>;
  const picture = { version, contentType, bytes, updatedAt } as StoredPicture;
  try {
    assertStoredPicture(picture);
  } catch (error) {
    throw new Error(`Corrupt picture pointer ${where}: ${(error as Error).message}`);
  }
  return picture;
}
