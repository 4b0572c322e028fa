import { concat } from '../bytes.ts';
import { fourcc, need, u32be } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Exif (with GPS), every kind of text chunk (comments, XMP, IPTC, "Raw profile" blobs) and the edit time. */
const DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

const bad = (problem: string) => new InvalidImageError('PNG', problem);

/**
 * Removes metadata chunks from a PNG. Chunks are dropped or copied whole, so every kept chunk's CRC
 * stays valid and the image data (IDAT) is untouched. Bytes after IEND are dropped: editors that
 * overwrote a file in place have left the uncropped original there ("aCropalypse").
 *
 * @throws {InvalidImageError} on a bad signature, a chunk length past the end, or no IHDR/IDAT/IEND.
 */
export function stripPng(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.length < SIGNATURE.length || !SIGNATURE.every((b, i) => bytes[i] === b)) throw bad('the 8-byte PNG signature is missing');

  const kept: Uint8Array[] = [bytes.subarray(0, SIGNATURE.length)];
  let at = SIGNATURE.length;
  let sawIdat = false;
  for (;;) {
    need(bytes, at, 12, 'PNG', 'a chunk header');
    const length = u32be(bytes, at);
    const type = fourcc(bytes, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) throw bad(`the chunk at offset ${at} has a malformed type ${JSON.stringify(type)}`);
    // The spec caps chunk lengths at 2^31 - 1.
    if (length > 0x7fffffff) throw bad(`the ${type} chunk at offset ${at} claims ${length} bytes`);
    need(bytes, at, 12 + length, 'PNG', `the ${type} chunk`);
    if (at === SIGNATURE.length && type !== 'IHDR') throw bad(`the first chunk is ${type}, not IHDR`);
    const chunk = bytes.subarray(at, at + 12 + length);
    at += 12 + length;

    if (type === 'IDAT') sawIdat = true;
    if (!DROPPED.has(type)) kept.push(chunk);
    if (type === 'IEND') break;
  }
  if (!sawIdat) throw bad('it has no image data (IDAT chunk)');
  return concat(kept);
}
