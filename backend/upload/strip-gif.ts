import { concat } from '../bytes.ts';
import { hasAscii, hex, need } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';

const IMAGE = 0x2c;
const EXTENSION = 0x21;
const TRAILER = 0x3b;
const COMMENT_LABEL = 0xfe;
const APPLICATION_LABEL = 0xff;

const bad = (problem: string) => new InvalidImageError('GIF', problem);

/**
 * Removes comment extensions and XMP application extensions (`XMP DataXMP`) from a GIF by walking its
 * blocks; everything else (NETSCAPE2.0 looping, graphic control, palettes, image data) is copied byte for
 * byte. Bytes after the trailer are dropped.
 *
 * @throws {InvalidImageError} on a bad header, a block past the end, or a missing trailer.
 */
export function stripGif(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!hasAscii(bytes, 0, 'GIF87a') && !hasAscii(bytes, 0, 'GIF89a')) throw bad('the GIF87a/GIF89a header is missing');
  need(bytes, 6, 7, 'GIF', 'the logical screen descriptor');
  let at = 13 + colorTableSize(bytes[10]!);
  need(bytes, 13, at - 13, 'GIF', 'the global colour table');
  const kept: Uint8Array[] = [bytes.subarray(0, at)];

  for (;;) {
    need(bytes, at, 1, 'GIF', 'the next block (the trailer 0x3B is missing)');
    const introducer = bytes[at]!;
    if (introducer === TRAILER) {
      kept.push(bytes.subarray(at, at + 1));
      return concat(kept);
    }
    const start = at;
    if (introducer === IMAGE) {
      need(bytes, at, 10, 'GIF', 'an image descriptor');
      at += 10 + colorTableSize(bytes[at + 9]!);
      need(bytes, start, at - start + 1, 'GIF', 'a local colour table and LZW code size');
      at = skipSubBlocks(bytes, at + 1);
      kept.push(bytes.subarray(start, at));
    } else if (introducer === EXTENSION) {
      need(bytes, at, 2, 'GIF', 'an extension header');
      const label = bytes[at + 1]!;
      at = skipSubBlocks(bytes, at + 2);
      if (label === COMMENT_LABEL) continue;
      // An application extension's first sub-block is 11 bytes: an 8-byte identifier and a 3-byte code.
      if (label === APPLICATION_LABEL && bytes[start + 2] === 11 && hasAscii(bytes, start + 3, 'XMP DataXMP')) continue;
      kept.push(bytes.subarray(start, at));
    } else {
      throw bad(`unexpected byte ${hex(introducer)} at offset ${at} where a block should start`);
    }
  }
}

/** Size in bytes of the colour table a packed field announces (its high bit says whether there is one). */
export function colorTableSize(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/** The offset just past a chain of sub-blocks (each a length byte and data) and its 0 terminator. */
export function skipSubBlocks(bytes: Uint8Array, at: number): number {
  for (;;) {
    need(bytes, at, 1, 'GIF', 'a data sub-block');
    const size = bytes[at]!;
    at += 1;
    if (size === 0) return at;
    need(bytes, at, size, 'GIF', 'a data sub-block');
    at += size;
  }
}
