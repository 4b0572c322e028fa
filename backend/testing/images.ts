import { deflateSync } from 'node:zlib';
import { concat } from '../bytes.ts';
// The PNG chunk builder (and its CRC-32) the upload tests use: one implementation for every test PNG.
import { PNG_SIGNATURE, pngChunk, u32be } from '../upload/fixtures.ts';

/**
 * A real PNG of `size`×`size` pixels of one colour, optionally with a tEXt chunk (metadata the service must
 * strip). Different colours give different bytes, hence different versions.
 */
export function solidPng(rgb: [number, number, number], size = 8, text?: string): Uint8Array<ArrayBuffer> {
  const header = [...u32be(size), ...u32be(size), 8, 2, 0, 0, 0]; // width, height, 8-bit truecolour, no interlace
  const row = [0, ...Array.from({ length: size }, () => rgb).flat()];
  const pixels = deflateSync(Uint8Array.from(Array.from({ length: size }, () => row).flat()));
  return concat([
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    // Encoded as UTF-8 here, not as pngChunk's Latin-1 string form, so the bytes stay what they always were.
    ...(text ? [pngChunk('tEXt', new TextEncoder().encode(`Comment\0${text}`))] : []),
    pngChunk('IDAT', pixels),
    pngChunk('IEND'),
  ]);
}
