import { concat } from '../bytes.ts';
import { fourcc, hasAscii, need, u32le } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';

/** VP8X flag bits announcing the chunks we drop. */
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

const bad = (problem: string) => new InvalidImageError('WebP', problem);

/**
 * Removes the `EXIF` and `XMP ` chunks from a WebP's RIFF container, clears their flags in `VP8X`
 * (the format requires the flags to match the chunks present) and rewrites the RIFF size. The image chunks (`VP8 `, `VP8L`,
 * `ALPH`, `ANIM`/`ANMF`) and `ICCP` are copied byte for byte. Bytes past the RIFF size are dropped.
 *
 * @throws {InvalidImageError} on a missing RIFF/WEBP header, a size past the end or an unknown first chunk.
 */
export function stripWebp(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!hasAscii(bytes, 0, 'RIFF') || !hasAscii(bytes, 8, 'WEBP')) throw bad('the RIFF....WEBP header is missing');
  const riffEnd = 8 + u32le(bytes, 4);
  if (riffEnd < 12 || riffEnd > bytes.length) {
    throw bad(`the RIFF header says ${riffEnd} bytes but the file has ${bytes.length} (truncated?)`);
  }
  const file = bytes.subarray(0, riffEnd);

  const kept: Uint8Array[] = [];
  let at = 12;
  while (at < riffEnd) {
    need(file, at, 8, 'WebP', 'a chunk header');
    const type = fourcc(file, at);
    const size = u32le(file, at + 4);
    // Chunks are padded to an even size; the pad byte is not counted in `size`.
    const padded = size + (size & 1);
    need(file, at + 8, padded, 'WebP', `the ${JSON.stringify(type)} chunk`);
    if (at === 12 && type !== 'VP8 ' && type !== 'VP8L' && type !== 'VP8X') {
      throw bad(`the first chunk is ${JSON.stringify(type)}, not VP8, VP8L or VP8X`);
    }
    const chunk = file.subarray(at, at + 8 + padded);
    at += 8 + padded;

    if (type === 'EXIF' || type === 'XMP ') continue;
    if (type === 'VP8X') {
      if (size < 10) throw bad(`the VP8X chunk has ${size} bytes, fewer than 10`);
      const copy = chunk.slice();
      copy[8] = copy[8]! & ~(VP8X_EXIF | VP8X_XMP);
      kept.push(copy);
      continue;
    }
    kept.push(chunk);
  }
  if (kept.length === 0) throw bad('it has no chunks');

  const out = concat([file.subarray(0, 12), ...kept]);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}
