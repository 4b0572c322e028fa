import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decompressionBombs, fixture } from './fixtures.ts';
import { claimedPixels } from './image-size.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { sniffImageType } from './sniff.ts';

const pixels = (bytes: Uint8Array) => claimedPixels(bytes, sniffImageType(bytes)!);

describe('claimedPixels', () => {
  test('reads the size of every fixture (16 × 16, made by ImageMagick) from its headers', () => {
    for (const name of [
      'photo-plain.png',
      'photo-gps.jpg',
      'photo-plain.jpg',
      'animated-gps.gif',
      'photo-plain.webp',
      'lossless-gps.webp',
      'photo-gps.avif',
      'photo-plain.avif',
    ]) {
      assert.equal(pixels(fixture(name)), 256, name);
    }
  });

  test('a bomb of every format claims what its headers say, without a decoder being asked', () => {
    const bombs = decompressionBombs();
    for (const [format, bytes] of Object.entries(bombs)) {
      assert.ok(bytes.length < 4_096, `${format} is a small file`);
      const expected = format.startsWith('webp') ? 16_383 * 16_383 : 50_000 * 50_000;
      assert.equal(pixels(bytes), expected, format);
    }
  });

  test('headers that are cut short, missing or say zero throw InvalidImageError', () => {
    const cases = [
      fixture('photo-plain.png').subarray(0, 20),
      fixture('photo-plain.webp').subarray(0, 24),
      decompressionBombs(0, 16).png,
      decompressionBombs(16, 0).gif,
    ];
    for (const bytes of cases) assert.throws(() => pixels(bytes), InvalidImageError);
    const jpeg = fixture('photo-plain.jpg');
    const sos = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xda);
    assert.throws(() => pixels(new Uint8Array([0xff, 0xd8, ...jpeg.subarray(sos)])), /no frame header/);
  });
});
