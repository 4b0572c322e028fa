import { deflateSync } from 'node:zlib';
import { concat } from '../bytes.ts';
// The PNG chunk builder (and its CRC-32) the upload tests use: one implementation for every test PNG.
import { PNG_SIGNATURE, pngChunk, u32be } from '../upload/fixtures.ts';

/**
 * A real PNG of `size`×`size` pixels of one colour, optionally with a tEXt chunk (metadata the service must
 * strip). Different colours give different bytes, hence different versions.
 */
export function solidPng(rgb: [number, number, number], size = 8, text?: string): Uint8Array<ArrayBuffer> {
  return png(size, () => rgb, text);
}

/**
 * A PNG of `size`×`size` pixels of noise, so it does not compress: about 3 bytes a pixel (96 px: ~28 KB), the
 * weight of a real photo's thumbnail. The same seed gives the same bytes.
 */
export function noisyPng(seed: number, size = 96): Uint8Array<ArrayBuffer> {
  let state = seed >>> 0 || 1;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
  return png(size, () => [next(), next(), next()]);
}

function png(size: number, colourAt: (x: number, y: number) => readonly number[], text?: string): Uint8Array<ArrayBuffer> {
  const header = [...u32be(size), ...u32be(size), 8, 2, 0, 0, 0]; // width, height, 8-bit truecolour, no interlace
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0); // no filter
    for (let x = 0; x < size; x++) rows.push(...colourAt(x, y));
  }
  return concat([
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    // Encoded as UTF-8 here, not as pngChunk's Latin-1 string form, so the bytes stay what they always were.
    ...(text ? [pngChunk('tEXt', new TextEncoder().encode(`Comment\0${text}`))] : []),
    pngChunk('IDAT', deflateSync(Uint8Array.from(rows))),
    pngChunk('IEND'),
  ]);
}
