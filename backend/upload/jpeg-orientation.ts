/**
 * The one piece of Exif worth keeping: Orientation (tag 0x0112). Phones store the sensor's pixels
 * unrotated and say "rotate 90°" here, so dropping it would show portrait photos sideways.
 */
import { hasAscii, u16be, u16le, u32be, u32le } from './bytes.ts';

const ORIENTATION_TAG = 0x0112;
const TYPE_SHORT = 3;

/**
 * The Orientation value (1–8) in an APP1 Exif payload (starting at `Exif\0\0`), or `null` when there is
 * none or the Exif cannot be read. Unreadable Exif is not an error: it is discarded either way, and the
 * image itself is intact.
 */
export function readExifOrientation(app1: Uint8Array): number | null {
  if (!hasAscii(app1, 0, 'Exif\0\0')) return null;
  const tiff = app1.subarray(6);
  if (tiff.length < 8) return null;
  let u16: (at: number) => number;
  let u32: (at: number) => number;
  if (hasAscii(tiff, 0, 'II')) {
    u16 = (at) => u16le(tiff, at);
    u32 = (at) => u32le(tiff, at);
  } else if (hasAscii(tiff, 0, 'MM')) {
    u16 = (at) => u16be(tiff, at);
    u32 = (at) => u32be(tiff, at);
  } else {
    return null;
  }
  if (u16(2) !== 42) return null;
  const ifd0 = u32(4);
  if (ifd0 < 8 || ifd0 + 2 > tiff.length) return null;
  const count = u16(ifd0);
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (u16(entry + 2) !== TYPE_SHORT || u32(entry + 4) !== 1) return null;
    // A single SHORT sits left-aligned in the 4-byte value field, in the file's byte order.
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : null;
  }
  return null;
}

/**
 * A complete APP1 segment (marker included) whose Exif holds only IFD0 with one Orientation entry:
 * 36 bytes, nothing that could identify a place, a device or a person.
 */
export function orientationOnlyExifSegment(orientation: number): Uint8Array {
  // prettier-ignore
  return new Uint8Array([
    0xff, 0xe1, 0x00, 0x22,                         // APP1, length 34 (itself included, marker not)
    0x45, 0x78, 0x69, 0x66, 0x00, 0x00,             // "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // TIFF header: big-endian, IFD0 at offset 8
    0x00, 0x01,                                     // IFD0 has one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, // Orientation, SHORT, count 1
    0x00, orientation & 0xff, 0x00, 0x00,           // the value, left-aligned
    0x00, 0x00, 0x00, 0x00,                         // no next IFD
  ]);
}
