/**
 * Test helpers: the real fixture files (made by `scripts/make-upload-fixtures.sh` with ImageMagick and exiftool),
 * and small byte builders for what no encoder writes: metadata hidden where it should not be, files that claim
 * more pixels than they hold. Test-only, so Node APIs are fine here.
 */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { concat } from '../bytes.ts';
import { deflateSync } from 'node:zlib';
import { pngChunk as encodeChunk, pngFile } from '../png.ts';

/** A fixture file's bytes. `*-plain.*` is the encoder's output, `*-gps.*` the same after exiftool tagged it. */
export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

/** Latin-1 text as bytes, so binary-looking literals such as 'Exif\0\0' can be written inline. */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export type Part = Uint8Array | readonly number[] | string;

/** Joins byte arrays, number lists and Latin-1 strings. */
export function bytes(...parts: Part[]): Uint8Array {
  return concat(parts.map((p) => (typeof p === 'string' ? latin1(p) : Uint8Array.from(p))));
}

/** An unsigned integer as the bytes a file stores it in, to build files with (the readers are in `bytes.ts`). */
export const u16beBytes = (n: number) => [(n >>> 8) & 0xff, n & 0xff];
export const u32beBytes = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
export const u16leBytes = (n: number) => u16beBytes(n).reverse();
export const u32leBytes = (n: number) => u32beBytes(n).reverse();

/** Index of `needle` in `haystack`, or -1. */
export function indexOf(haystack: Uint8Array, needle: Part, from = 0): number {
  const n = bytes(needle);
  outer: for (let i = from; i + n.length <= haystack.length; i++) {
    for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * What exiftool put into the `*-gps.*` fixtures that must not survive: XMP GPS, the XMP packet, maker and
 * model, the author, comment and IPTC city, and the Exif GPSLatitude rational 48/1 51/1 756/25 in both
 * byte orders.
 */
export const LEAKS: readonly Part[] = [
  'exif:GPSLatitude',
  'GPSLongitude',
  'xpacket',
  'x:xmpmeta',
  'TestPhone',
  'SecretModel',
  'Alice',
  'taken at home',
  'Paris',
  [...u32beBytes(48), ...u32beBytes(1), ...u32beBytes(51), ...u32beBytes(1), ...u32beBytes(756), ...u32beBytes(25)],
  [...u32leBytes(48), ...u32leBytes(1), ...u32leBytes(51), ...u32leBytes(1), ...u32leBytes(756), ...u32leBytes(25)],
];

/** Fails naming the first leak found. */
export function assertNoLeaks(served: Uint8Array): void {
  for (const leak of LEAKS) {
    assert.equal(
      indexOf(served, leak),
      -1,
      `still contains ${typeof leak === 'string' ? leak : 'the GPS latitude rational'}`,
    );
  }
}

// --- JPEG -------------------------------------------------------------------------------------------

/** A JPEG marker segment with its length. */
export function jpegSegment(marker: number, ...payload: Part[]): Uint8Array {
  const body = bytes(...payload);
  return bytes([0xff, marker], u16beBytes(body.length + 2), body);
}

// --- PNG --------------------------------------------------------------------------------------------

/**
 * A PNG chunk with a correct CRC, from byte arrays, number lists and Latin-1 strings (the service's encoder writes it).
 */
export function pngChunk(type: string, ...data: Part[]): Uint8Array {
  return encodeChunk(type, bytes(...data));
}

// --- WebP -------------------------------------------------------------------------------------------

/** A RIFF chunk, padded to an even size. */
export function riffChunk(type: string, ...data: Part[]): Uint8Array {
  const body = bytes(...data);
  return bytes(type, u32leBytes(body.length), body, body.length % 2 ? [0] : []);
}

/** A WebP file around `chunks`, with a correct RIFF size. */
export function webp(...chunks: Uint8Array[]): Uint8Array {
  const body = bytes('WEBP', ...chunks);
  return bytes('RIFF', u32leBytes(body.length), body);
}

/** The chunks of a well-formed WebP, each with its header and padding. */
export function webpChunks(file: Uint8Array): { type: string; chunk: Uint8Array }[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: { type: string; chunk: Uint8Array }[] = [];
  for (let at = 12; at < file.length; ) {
    const size = view.getUint32(at + 4, true);
    const padded = size + (size & 1);
    chunks.push({ type: String.fromCharCode(...file.subarray(at, at + 4)), chunk: file.subarray(at, at + 8 + padded) });
    at += 8 + padded;
  }
  return chunks;
}

// --- GIF --------------------------------------------------------------------------------------------

/** Data split into GIF sub-blocks of at most 255 bytes, with the 0 terminator. */
export function subBlocks(...data: Part[]): Uint8Array {
  const all = bytes(...data);
  const parts: Part[] = [];
  for (let at = 0; at < all.length; at += 255) {
    const piece = all.subarray(at, at + 255);
    parts.push([piece.length], piece);
  }
  return bytes(...parts, [0]);
}

// --- ISOBMFF ----------------------------------------------------------------------------------------

/** A box with a 32-bit size. */
export function box(type: string, ...payload: Part[]): Uint8Array {
  const body = bytes(...payload);
  return bytes(u32beBytes(body.length + 8), type, body);
}

// --- decompression bombs -------------------------------------------------------------------------------

/**
 * Small, well-formed files of every accepted format whose headers claim `width` × `height` pixels (each at most
 * 16,383, the most a WebP bitstream can say): the real 16 × 16 fixtures with their size fields rewritten, and for
 * PNG a file built with a correct CRC. Nothing here decodes to that size; that is the point: nothing may try.
 */
export function decompressionBombs(
  width = 50_000,
  height = 50_000,
): Record<'png' | 'jpeg' | 'gif' | 'webp' | 'webp-lossless' | 'avif', Uint8Array> {
  const small = (n: number) => Math.min(n, 16_383);
  const patch = (name: string, edit: (file: Uint8Array) => void) => {
    const file = fixture(name).slice();
    edit(file);
    return file;
  };
  return {
    png: pngFile(width, height, deflateSync(new Uint8Array(64))),
    jpeg: patch('photo-plain.jpg', (file) => {
      const sof = [0xc0, 0xc1, 0xc2].map((m) => indexOf(file, [0xff, m])).find((at) => at >= 0)!;
      file.set([...u16beBytes(height), ...u16beBytes(width)], sof + 5);
    }),
    gif: patch('animated-plain.gif', (file) => {
      file.set([...u16leBytes(width), ...u16leBytes(height)], 6);
      const descriptor = indexOf(file, [0x2c, 0, 0, 0, 0]);
      file.set([...u16leBytes(width), ...u16leBytes(height)], descriptor + 5);
    }),
    webp: patch('photo-plain.webp', (file) =>
      file.set([...u16leBytes(small(width)), ...u16leBytes(small(height))], 26),
    ),
    'webp-lossless': patch('lossless-plain.webp', (file) => {
      const bits = (small(width) - 1) | ((small(height) - 1) << 14);
      file.set(u32leBytes(bits >>> 0), 21);
    }),
    avif: patch('photo-plain.avif', (file) => {
      const ispe = indexOf(file, 'ispe');
      file.set([...u32beBytes(width), ...u32beBytes(height)], ispe + 8);
    }),
  };
}
