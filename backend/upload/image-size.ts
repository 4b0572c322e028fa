/**
 * How many pixels an image claims, read from its headers without decoding anything: a file of a few hundred bytes
 * may claim 50,000 × 50,000 pixels, and every page that shows it would then try to hold 10 GB of them.
 */
import { fourcc, hasAscii, need, readU16be, readU16le, readU32be, readU32le } from './bytes.ts';
import { ImageType } from './image-type.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { readBoxes, type Box } from './isobmff.ts';
import { colorTableSize, skipSubBlocks } from './gif-blocks.ts';
import { isStandalone, readMarker } from './jpeg-markers.ts';

const readers: Record<ImageType, (bytes: Uint8Array) => number> = {
  [ImageType.png]: pngPixels,
  [ImageType.jpeg]: jpegPixels,
  [ImageType.gif]: gifPixels,
  [ImageType.webp]: webpPixels,
  [ImageType.avif]: avifPixels,
};

/**
 * The largest width × height the image's headers claim, for its canvas or any of its frames.
 *
 * @param type what `sniffImageType` said about `bytes`.
 * @throws {InvalidImageError} when the headers that state the size are missing, cut short or say zero.
 * @example
 * claimedPixels(bytes, sniffImageType(bytes)!) > maxImagePixels; // refuse it before anyone decodes it
 */
export function claimedPixels(bytes: Uint8Array, type: ImageType): number {
  const read = Object.hasOwn(readers, type) ? readers[type] : undefined;
  if (read === undefined) throw new TypeError(`claimedPixels: unsupported image type ${JSON.stringify(type)}`);
  return read(bytes);
}

function area(width: number, height: number, format: InvalidImageError['format'], where: string): number {
  if (width === 0 || height === 0) throw new InvalidImageError(format, `${where} says ${width} × ${height} pixels`);
  return width * height;
}

/** IHDR, which must be the first chunk. */
function pngPixels(bytes: Uint8Array): number {
  need(bytes, 8, 16, 'PNG', 'the IHDR chunk');
  if (!hasAscii(bytes, 12, 'IHDR')) throw new InvalidImageError('PNG', 'the first chunk is not IHDR');
  return area(readU32be(bytes, 16), readU32be(bytes, 20), 'PNG', 'IHDR');
}

/** The frame header (SOF0–15 but DHT, JPG and DAC), found by walking the segments before the first scan. */
function jpegPixels(bytes: Uint8Array): number {
  let at = 2;
  for (;;) {
    const { marker, start } = readMarker(bytes, at);
    if (marker === 0xda || marker === 0xd9)
      throw new InvalidImageError('JPEG', 'it has no frame header (SOF) before its image data');
    if (isStandalone(marker)) {
      at = start + 2;
      continue;
    }
    need(bytes, start, 4, 'JPEG', 'a segment header');
    const length = readU16be(bytes, start + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      need(bytes, start + 4, 5, 'JPEG', 'the frame header');
      return area(readU16be(bytes, start + 7), readU16be(bytes, start + 5), 'JPEG', 'the frame header');
    }
    if (length < 2)
      throw new InvalidImageError('JPEG', `the segment at offset ${start} has an impossible length ${length}`);
    at = start + 2 + length;
  }
}

/** The logical screen and every frame's image descriptor (browsers grow the screen to fit a larger first frame). */
function gifPixels(bytes: Uint8Array): number {
  need(bytes, 6, 7, 'GIF', 'the logical screen descriptor');
  let most = area(readU16le(bytes, 6), readU16le(bytes, 8), 'GIF', 'the logical screen');
  let at = 13 + colorTableSize(bytes[10]!);
  for (;;) {
    need(bytes, at, 1, 'GIF', 'the next block (the trailer 0x3B is missing)');
    const introducer = bytes[at]!;
    if (introducer === 0x3b) return most;
    if (introducer === 0x2c) {
      need(bytes, at, 10, 'GIF', 'an image descriptor');
      most = Math.max(
        most,
        area(readU16le(bytes, at + 5), readU16le(bytes, at + 7), 'GIF', `the frame at offset ${at}`),
      );
      at = skipSubBlocks(bytes, at + 11 + colorTableSize(bytes[at + 9]!));
    } else if (introducer === 0x21) {
      at = skipSubBlocks(bytes, at + 2);
    } else {
      throw new InvalidImageError('GIF', `unexpected byte ${introducer} at offset ${at} where a block should start`);
    }
  }
}

/** The first chunk: the VP8X canvas (which bounds every frame), or the one VP8/VP8L bitstream's header. */
function webpPixels(bytes: Uint8Array): number {
  need(bytes, 12, 8, 'WebP', 'the first chunk header');
  const type = fourcc(bytes, 12);
  const data = 20;
  if (type === 'VP8X') {
    need(bytes, data, 10, 'WebP', 'the VP8X chunk');
    const readU24le = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return area(readU24le(data + 4) + 1, readU24le(data + 7) + 1, 'WebP', 'the VP8X canvas');
  }
  if (type === 'VP8 ') {
    need(bytes, data, 10, 'WebP', 'the VP8 frame header');
    if (bytes[data + 3] !== 0x9d || bytes[data + 4] !== 0x01 || bytes[data + 5] !== 0x2a) {
      throw new InvalidImageError('WebP', 'the VP8 frame has no start code');
    }
    return area(
      readU16le(bytes, data + 6) & 0x3fff,
      readU16le(bytes, data + 8) & 0x3fff,
      'WebP',
      'the VP8 frame header',
    );
  }
  if (type === 'VP8L') {
    need(bytes, data, 5, 'WebP', 'the VP8L header');
    if (bytes[data] !== 0x2f) throw new InvalidImageError('WebP', 'the VP8L bitstream has no signature');
    const bits = readU32le(bytes, data + 1);
    return area((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 'WebP', 'the VP8L header');
  }
  throw new InvalidImageError('WebP', `the first chunk is ${JSON.stringify(type)}, not VP8, VP8L or VP8X`);
}

/** Every `ispe` (image spatial extents) of a still image's items, and every track header of a sequence. */
function avifPixels(bytes: Uint8Array): number {
  let most = 0;
  const visit = (boxes: Box[]): void => {
    for (const box of boxes) {
      if (box.type === 'ispe') {
        need(bytes, box.payload, 12, 'AVIF', 'an ispe box');
        most = Math.max(
          most,
          area(readU32be(bytes, box.payload + 4), readU32be(bytes, box.payload + 8), 'AVIF', 'an ispe box'),
        );
      } else if (box.type === 'tkhd') {
        // Width and height are the box's last 8 bytes, 16.16 fixed point, in both versions.
        need(bytes, box.end - 8, 8, 'AVIF', 'a track header');
        most = Math.max(
          most,
          Math.ceil(readU32be(bytes, box.end - 8) / 65_536) * Math.ceil(readU32be(bytes, box.end - 4) / 65_536),
        );
      } else if (box.type === 'meta') {
        visit(readBoxes(bytes, box.payload + 4, box.end)); // a FullBox: version and flags first
      } else if (box.type === 'iprp' || box.type === 'ipco' || box.type === 'moov' || box.type === 'trak') {
        visit(readBoxes(bytes, box.payload, box.end));
      }
    }
  };
  visit(readBoxes(bytes, 0, bytes.length));
  if (most === 0) throw new InvalidImageError('AVIF', 'it states no image size (no ispe property, no track header)');
  return most;
}
