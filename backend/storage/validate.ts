import { PREVIEW_PATTERN } from '../../contract/picture.ts';
import { USER_ID } from '../user-id.ts';
import type { StoredPicture } from './storage.ts';

/** Versions are content hashes in lowercase hex (the service uses 32 digits). */
const VERSION = /^[0-9a-f]{1,128}$/;
/** The widest copy a pointer may name: far past any the service makes, small enough for any path. */
const MAX_WIDTH = 4096;
/** The older preview, an image of a few dozen bytes; a few KB is far past any the service made. */
const PLACEHOLDER = /^data:image\/webp;base64,[A-Za-z0-9+/]{4,4096}={0,2}$/;

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

/** Throws unless `width` could be a copy's width: it is written into paths and keys. */
export function assertWidth(width: number): void {
  if (!isWidth(width))
    throw new TypeError(
      `Invalid width ${JSON.stringify(width)}: expected a whole number of pixels up to ${MAX_WIDTH}.`,
    );
}

/** Whether `width` could name a stored copy. */
export function isWidth(width: number): boolean {
  return Number.isSafeInteger(width) && width > 0 && width <= MAX_WIDTH;
}

/** Throws unless `picture` is a well-formed StoredPicture (and, given `files`, describes those bytes). */
export function assertStoredPicture(picture: StoredPicture, files?: readonly Uint8Array[]): void {
  assertVersion(picture.version);
  if (!Number.isFinite(picture.updatedAt)) throw new TypeError(`Invalid updatedAt ${picture.updatedAt}.`);
  const { variants, preview, placeholder } = picture;
  if (preview !== undefined && (typeof preview !== 'string' || !PREVIEW_PATTERN.test(preview))) {
    throw new TypeError('Invalid preview: expected three colours as 18 lowercase hex digits.');
  }
  if (placeholder !== undefined && (typeof placeholder !== 'string' || !PLACEHOLDER.test(placeholder))) {
    throw new TypeError('Invalid placeholder: expected a short data:image/webp;base64 URL.');
  }
  if (variants === undefined) {
    if (files) throw new TypeError('A picture is stored with its copies: `variants` is missing.');
    return;
  }
  if (!Array.isArray(variants) || variants.length === 0)
    throw new TypeError('Invalid variants: expected at least one copy.');
  let narrower = 0;
  for (const variant of variants) {
    assertWidth(variant?.width);
    // Narrowest first, each width once: readers pick the default copy by that order, and a width names one file.
    if (variant.width <= narrower)
      throw new TypeError(
        `Invalid variants: width ${variant.width} after ${narrower}; list each width once, narrowest first.`,
      );
    narrower = variant.width;
    if (!Number.isSafeInteger(variant.bytes) || variant.bytes <= 0)
      throw new TypeError(`Invalid size ${variant.bytes} of the ${variant.width}-px copy.`);
  }
  if (!files) return;
  if (files.length !== variants.length)
    throw new TypeError(`${variants.length} copies are described but ${files.length} were given.`);
  variants.forEach((variant, i) => {
    if (files[i]!.byteLength !== variant.bytes)
      throw new TypeError(
        `The ${variant.width}-px copy is described as ${variant.bytes} bytes but ${files[i]!.byteLength} were given.`,
      );
  });
}

/** The pointer as stored: exactly its fields, so nothing else leaks into the file or object. */
export function encodePointer(picture: StoredPicture): string {
  const { version, updatedAt, variants, preview, placeholder } = picture;
  return JSON.stringify({
    version,
    updatedAt,
    variants: variants?.map(({ width, bytes }) => ({ width, bytes })),
    preview,
    placeholder,
  });
}

/** A stored pointer that cannot be read: empty, cut short, or written by something other than this code. */
export class CorruptPointerError extends Error {
  override name = 'CorruptPointerError';
}

/**
 * Parses a stored pointer; a malformed one throws a CorruptPointerError. A pointer
 * written before copies were made (`{version, contentType, bytes, updatedAt}`) reads as a picture without variants.
 */
export function decodePointer(text: string, where: string): StoredPicture {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptPointerError(`Corrupt picture pointer ${where}: not JSON.`);
  }
  const { version, updatedAt, variants, preview, placeholder } = (value ?? {}) as Partial<StoredPicture>;
  const picture: StoredPicture = { version: version!, updatedAt: updatedAt! };
  if (variants !== undefined) picture.variants = variants;
  if (preview !== undefined) picture.preview = preview;
  if (placeholder !== undefined) picture.placeholder = placeholder;
  try {
    assertStoredPicture(picture);
  } catch (error) {
    throw new CorruptPointerError(`Corrupt picture pointer ${where}: ${(error as Error).message}`);
  }
  return picture;
}
