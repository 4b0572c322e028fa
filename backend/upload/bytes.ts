/**
 * Bounds-checked byte reading shared by the format parsers. Every read goes through `need`, so a length
 * field that points past the end becomes an `InvalidImageError` instead of `undefined` arithmetic.
 */
import { InvalidImageError, type ImageFormatName } from './invalid-image-error.ts';

/** Throws unless `count` bytes starting at `at` lie inside `bytes`. */
export function need(bytes: Uint8Array, at: number, count: number, format: ImageFormatName, what: string): void {
  if (at < 0 || count < 0 || at + count > bytes.length) {
    const left = Math.max(0, bytes.length - at);
    throw new InvalidImageError(
      format,
      `${what} at offset ${at} needs ${count} bytes but only ${left} remain (truncated?)`,
    );
  }
}

/** Unsigned 16-bit big-endian integer at `at`; the caller has checked the bounds with `need`. */
export function readU16be(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** Unsigned 32-bit big-endian integer at `at`. */
export function readU32be(bytes: Uint8Array, at: number): number {
  // Multiplying instead of `<< 24` keeps the result unsigned.
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/** Unsigned 16-bit little-endian integer at `at`. */
export function readU16le(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

/** Unsigned 32-bit little-endian integer at `at`. */
export function readU32le(bytes: Uint8Array, at: number): number {
  return bytes[at + 3]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!);
}

/** Reads an unsigned big-endian integer of 0, 4 or 8 bytes (the field sizes ISOBMFF uses); `null` past 2^53. */
export function readUintbe(bytes: Uint8Array, at: number, size: 0 | 4 | 8): number | null {
  if (size === 0) return 0;
  if (size === 4) return readU32be(bytes, at);
  const value = readU32be(bytes, at) * 0x100000000 + readU32be(bytes, at + 4);
  return Number.isSafeInteger(value) ? value : null;
}

/** The four bytes at `at` as ASCII, e.g. a chunk or box type. */
export function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Whether `bytes` holds the ASCII text `text` at `at`. */
export function hasAscii(bytes: Uint8Array, at: number, text: string): boolean {
  if (at < 0 || at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** `0xAB` style, for messages. */
export function hex(value: number, digits = 2): string {
  return `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;
}
