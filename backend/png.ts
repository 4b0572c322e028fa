/**
 * A small PNG encoder (8-bit truecolour, no filtering): the demo's seeded pictures and the tests' images are drawn
 * with it. Web-standard only, since Deno runs the seeding too: `CompressionStream('deflate')` writes the zlib
 * stream PNG's IDAT wants.
 */
import { concat } from './bytes.ts';

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Four bytes, most significant first. */
function u32beBytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** A PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array = new Uint8Array()): Uint8Array<ArrayBuffer> {
  const typeAndData = concat([Uint8Array.from(type, (c) => c.charCodeAt(0)), data]);
  return concat([u32beBytes(data.length), typeAndData, u32beBytes(crc32(typeAndData))]);
}

/** The raw image data PNG compresses: each row of `rgb` (3 bytes a pixel) behind a filter byte 0 (none). */
export function scanlines(width: number, rgb: Uint8Array): Uint8Array<ArrayBuffer> {
  const stride = width * 3;
  const height = rgb.length / stride;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) out.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return out;
}

/** A whole PNG from its compressed scanlines; `chunks` (say a tEXt) go between the header and the image data. */
export function pngFile(
  width: number,
  height: number,
  idat: Uint8Array,
  chunks: readonly Uint8Array[] = [],
): Uint8Array<ArrayBuffer> {
  // width, height, 8-bit depth, truecolour, deflate, no filter method, no interlace
  const header = concat([u32beBytes(width), u32beBytes(height), Uint8Array.of(8, 2, 0, 0, 0)]);
  return concat([
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    ...chunks,
    pngChunk('IDAT', idat),
    pngChunk('IEND'),
  ]);
}

/**
 * Encodes `width`×`height` pixels of `rgb` (3 bytes a pixel, rows top to bottom) as a PNG.
 *
 * @example
 * const red = await encodePng(1, 1, Uint8Array.of(255, 0, 0));
 */
export async function encodePng(width: number, height: number, rgb: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  if (rgb.length !== width * height * 3)
    throw new RangeError(`${width}×${height} pixels need ${width * height * 3} bytes, not ${rgb.length}.`);
  const compressed = new Blob([scanlines(width, rgb)]).stream().pipeThrough(new CompressionStream('deflate'));
  return pngFile(width, height, new Uint8Array(await new Response(compressed).arrayBuffer()));
}
