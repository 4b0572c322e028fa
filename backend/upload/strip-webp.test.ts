import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertEveryTruncationRejected,
  assertNoLeaks,
  bytes,
  count,
  exifPayload,
  fixture,
  riffChunk,
  u32le,
  webp,
  webpChunks,
} from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { stripWebp } from './strip-webp.ts';

const types = (file: Uint8Array) => webpChunks(file).map((c) => c.type);
const chunk = (file: Uint8Array, type: string) => webpChunks(file).find((c) => c.type === type)?.chunk;
const riffSize = (file: Uint8Array) => new DataView(file.buffer, file.byteOffset).getUint32(4, true);

/** A VP8X chunk with the given flags and a 16×16 canvas. */
const vp8x = (flags: number) => riffChunk('VP8X', [flags, 0, 0, 0], [15, 0, 0], [15, 0, 0]);
const VP8 = riffChunk('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00, 0xaa]);

for (const [name, image] of [
  ['lossy', 'VP8 '],
  ['lossless', 'VP8L'],
] as const) {
  test(`a tagged ${name} WebP loses its EXIF and XMP chunks and flags, and keeps ${image} byte for byte`, () => {
    const tagged = fixture(name === 'lossy' ? 'photo-gps.webp' : 'lossless-gps.webp');
    assert.deepEqual(types(tagged), ['VP8X', image, 'EXIF', 'XMP ']);
    const stripped = stripWebp(tagged);
    assertNoLeaks(stripped);
    assert.equal(count(stripped, 'MM\0*'), 0, 'no Exif TIFF header');
    assert.deepEqual(types(stripped), ['VP8X', image]);
    assert.equal(stripped[20]! & 0x0c, 0, 'EXIF and XMP flags cleared');
    assert.equal(riffSize(stripped), stripped.length - 8);
    assert.deepEqual(chunk(stripped, image), chunk(tagged, image));
    assert.deepEqual(chunk(stripped, image), chunk(fixture(name === 'lossy' ? 'photo-plain.webp' : 'lossless-plain.webp'), image));
    assert.deepEqual(stripWebp(stripped), stripped, 'stripping twice changes nothing');
  });
}

test('a simple WebP without metadata comes back unchanged', () => {
  const plain = fixture('photo-plain.webp');
  assert.deepEqual(stripWebp(plain), plain);
});

test('other VP8X flags (ICC, alpha, animation) and chunks survive; odd sizes keep their padding', () => {
  const iccp = riffChunk('ICCP', 'odd-sized profile');
  const alph = riffChunk('ALPH', [0, 1, 2]);
  const unknown = riffChunk('XYZW', 'kept: unknown chunks are not metadata we know of');
  const file = webp(
    vp8x(0x20 | 0x10 | 0x08 | 0x04),
    iccp,
    alph,
    VP8,
    riffChunk('EXIF', exifPayload('II', [{ tag: 0x0112, value: 6 }], 'GPS-SECRET!')),
    riffChunk('XMP ', '<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>'),
    unknown,
  );
  const stripped = stripWebp(file);
  assert.deepEqual(stripped, webp(vp8x(0x20 | 0x10), iccp, alph, VP8, unknown));
  assert.equal(riffSize(stripped), stripped.length - 8);
});

test('bytes past the RIFF size are dropped', () => {
  const plain = fixture('photo-plain.webp');
  assert.deepEqual(stripWebp(bytes(plain, 'GPS-SECRET')), plain);
});

test('the input is not modified (VP8X flags are cleared in a copy)', () => {
  const tagged = fixture('photo-gps.webp');
  const copy = tagged.slice();
  stripWebp(tagged);
  assert.deepEqual(tagged, copy);
});

test('every truncation of a real WebP is refused as an invalid WebP', () => {
  assertEveryTruncationRejected(fixture('photo-gps.webp'), stripWebp);
  assertEveryTruncationRejected(fixture('lossless-gps.webp'), stripWebp);
});

test('broken structure is refused with a message naming WebP and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['no RIFF header', bytes('RIFX', u32le(4), 'WEBP'), /RIFF....WEBP header/],
    ['a RIFF size past the end', bytes('RIFF', u32le(1000), 'WEBP', VP8), /says 1008 bytes but the file has/],
    ['a RIFF size below 4', bytes('RIFF', u32le(2), 'WEBP'), /says 10 bytes/],
    ['no chunks', webp(), /no chunks/],
    ['a chunk past the RIFF end', webp(bytes('VP8 ', u32le(500), [1, 2, 3, 4])), /"VP8 " chunk at offset 20 needs 500 bytes/],
    ['a chunk header cut short', webp(VP8, bytes('EXI')), /chunk header/],
    ['an odd chunk without its pad byte', bytes('RIFF', u32le(4 + 8 + 3), 'WEBP', 'VP8L', u32le(3), [1, 2, 3]), /needs 4 bytes but only 3/],
    ['an unknown first chunk', webp(riffChunk('EXIF', 'x'), VP8), /first chunk is "EXIF"/],
    ['a short VP8X', webp(riffChunk('VP8X', [0x08, 0, 0, 0]), VP8), /VP8X chunk has 4 bytes/],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => stripWebp(data),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'WebP' && message.test(error.message),
      name,
    );
  }
});
