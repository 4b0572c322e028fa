import { concat } from '../bytes.ts';
import { hasAscii, hex, need, u16be } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { orientationOnlyExifSegment, readExifOrientation } from './jpeg-orientation.ts';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;

const bad = (problem: string) => new InvalidImageError('JPEG', problem);

/**
 * Removes metadata from a JPEG without touching the compressed image: every segment before the first
 * scan is kept or dropped whole, and the scan data is copied verbatim.
 *
 * Kept: APP0 `JFIF`, APP2 `ICC_PROFILE` (colours look wrong without it), APP14 `Adobe` (tells decoders
 * how to read CMYK/YCCK) and all non-APP segments (tables, frame header). Dropped: APP1 (Exif with GPS
 * and serial numbers, XMP), APP13 (IPTC/Photoshop), COM, every other APPn, and whatever follows EOI.
 * An Exif Orientation other than 1 is written back as a 36-byte APP1 holding only that tag.
 *
 * @throws {InvalidImageError} when a segment is truncated, a marker is missing, or there is no EOI.
 */
export function stripJpeg(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) throw bad('it does not start with the SOI marker FF D8');

  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  // The Exif goes right after SOI, or after APP0 when the file starts with it (JFIF requires APP0 first).
  let exifIndex = 1;
  let orientation: number | null = null;
  let at = 2;
  for (;;) {
    const first = at === 2;
    const { marker, start } = readMarker(bytes, at);
    if (marker === SOS) {
      kept.push(bytes.subarray(start, endOfImage(bytes, start)));
      break;
    }
    if (marker === EOI) throw bad(`it ends (EOI at offset ${start}) before any image data (SOS)`);
    if (marker === SOI) throw bad(`a second SOI marker at offset ${start}`);
    if (isStandalone(marker)) {
      kept.push(bytes.subarray(start, start + 2));
      at = start + 2;
      continue;
    }
    need(bytes, start, 4, 'JPEG', `the ${hex(marker)} segment header`);
    const length = u16be(bytes, start + 2);
    if (length < 2) throw bad(`the ${hex(marker)} segment at offset ${start} has an impossible length ${length}`);
    need(bytes, start + 2, length, 'JPEG', `the ${hex(marker)} segment`);
    const segment = bytes.subarray(start, start + 2 + length);
    const payload = segment.subarray(4);
    at = start + 2 + length;

    if (marker === APP1) {
      if (orientation === null) orientation = readExifOrientation(payload);
      continue;
    }
    if (keepSegment(marker, payload)) {
      kept.push(segment);
      if (marker === APP0 && first) exifIndex = 2;
    }
  }

  if (orientation !== null && orientation !== 1) kept.splice(exifIndex, 0, orientationOnlyExifSegment(orientation));
  return concat(kept);
}

/** Whether a segment before the scan (not APP1, decided by the caller) survives. */
function keepSegment(marker: number, payload: Uint8Array): boolean {
  if (marker === APP0) return hasAscii(payload, 0, 'JFIF\0'); // not JFXX, an embedded thumbnail that may show the uncropped picture
  if (marker === APP2) return hasAscii(payload, 0, 'ICC_PROFILE\0'); // not MPF, an index of the images appended after EOI
  if (marker === APP14) return hasAscii(payload, 0, 'Adobe');
  if (marker >= APP0 && marker <= 0xef) return false;
  return marker !== COM;
}

/** Markers without a length: TEM and the restart markers RST0–7. */
export function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/** The marker at `at`, skipping the 0xFF fill bytes the standard allows before it. */
export function readMarker(bytes: Uint8Array, at: number): { marker: number; start: number } {
  need(bytes, at, 2, 'JPEG', 'a marker before the image data (SOS)');
  if (bytes[at] !== 0xff) throw bad(`expected a marker at offset ${at}, found ${hex(bytes[at]!)}`);
  let m = at + 1;
  while (m < bytes.length && bytes[m] === 0xff) m++;
  if (m >= bytes.length) throw bad('it ends inside a run of 0xFF fill bytes');
  const marker = bytes[m]!;
  if (marker === 0x00) throw bad(`a stuffed 0xFF 0x00 at offset ${m - 1} outside scan data`);
  return { marker, start: m - 1 };
}

/**
 * The offset just past the EOI that ends the image whose first SOS is at `sos`. Inside scan data 0xFF is
 * always followed by 0x00 (a stuffed byte), RSTn or a real marker, so markers are found without decoding;
 * segments between progressive scans (DHT, SOS, ...) are skipped by their length, since their bytes may
 * contain FF D9. Anything after EOI is dropped: phones append secondary images and vendor trailers there,
 * and in-place editors have left the uncropped original behind.
 */
function endOfImage(bytes: Uint8Array, sos: number): number {
  let at = sos;
  for (;;) {
    // `at` is on a marker with a length (SOS, or one between scans).
    need(bytes, at, 4, 'JPEG', `the ${hex(bytes[at + 1] ?? 0)} segment header`);
    const length = u16be(bytes, at + 2);
    if (length < 2) throw bad(`the segment at offset ${at} has an impossible length ${length}`);
    need(bytes, at + 2, length, 'JPEG', `the ${hex(bytes[at + 1]!)} segment`);
    at += 2 + length;
    for (;;) {
      const ff = bytes.indexOf(0xff, at);
      if (ff < 0 || ff + 1 >= bytes.length) throw bad('the image data has no end (EOI marker FF D9); the file is truncated');
      const next = bytes[ff + 1]!;
      if (next === 0x00 || isStandalone(next)) {
        at = ff + 2;
      } else if (next === 0xff) {
        at = ff + 1;
      } else if (next === EOI) {
        return ff + 2;
      } else {
        at = ff;
        break;
      }
    }
  }
}
