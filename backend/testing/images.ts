import { deflateSync } from 'node:zlib';
// The service's own PNG encoder; tests deflate synchronously (node:zlib) so their images are plain values.
import { pngChunk, pngFile, scanlines } from '../png.ts';

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
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
  return png(size, () => [next(), next(), next()]);
}

function png(
  size: number,
  colourAt: (x: number, y: number) => readonly number[],
  text?: string,
): Uint8Array<ArrayBuffer> {
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) rgb.set(colourAt(x, y), (y * size + x) * 3);
  const textChunk = text ? [pngChunk('tEXt', new TextEncoder().encode(`Comment\0${text}`))] : [];
  return pngFile(size, size, deflateSync(scanlines(size, rgb)), textChunk);
}
