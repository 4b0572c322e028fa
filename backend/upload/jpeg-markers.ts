/** Finding JPEG markers before the image data, so the segments can be walked without decoding anything. */
import { hex, need } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';

/** Markers without a length: TEM and the restart markers RST0–7. */
export function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

/**
 * The marker at `at`, skipping the 0xFF fill bytes the standard allows before it.
 *
 * @throws {InvalidImageError} when `at` holds no marker, or the file ends in fill bytes.
 */
export function readMarker(bytes: Uint8Array, at: number): { marker: number; start: number } {
  need(bytes, at, 2, 'JPEG', 'a marker before the image data (SOS)');
  if (bytes[at] !== 0xff)
    throw new InvalidImageError('JPEG', `expected a marker at offset ${at}, found ${hex(bytes[at]!)}`);
  let m = at + 1;
  while (m < bytes.length && bytes[m] === 0xff) m++;
  if (m >= bytes.length) throw new InvalidImageError('JPEG', 'it ends inside a run of 0xFF fill bytes');
  const marker = bytes[m]!;
  if (marker === 0x00) throw new InvalidImageError('JPEG', `a stuffed 0xFF 0x00 at offset ${m - 1} outside scan data`);
  return { marker, start: m - 1 };
}
