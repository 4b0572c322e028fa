import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, fixture, random } from './fixtures.ts';
import { ImageType } from './image-type.ts';
import { sniffImageType } from './sniff.ts';
import { InvalidImageError, stripMetadata } from './strip-metadata.ts';

const TAGGED = ['photo-gps.jpg', 'photo-gps.png', 'photo-gps.webp', 'lossless-gps.webp', 'animated-gps.gif', 'photo-gps.avif'];
const PLAIN = ['photo-plain.jpg', 'photo-plain.png', 'photo-plain.webp', 'lossless-plain.webp', 'animated-plain.gif', 'photo-plain.avif'];

test('every format is dispatched: sniff, strip, and the result sniffs and strips to itself', () => {
  for (const name of TAGGED) {
    const tagged = fixture(name);
    const type = sniffImageType(tagged);
    assert.ok(type, name);
    const stripped = stripMetadata(tagged, type);
    assertNoLeaks(stripped);
    assert.equal(sniffImageType(stripped), type, name);
    assert.deepEqual(stripMetadata(stripped, type), stripped, `${name}: stripping twice changes nothing`);
    // Typed and built for Response bodies and crypto.subtle.digest.
    assert.ok(stripped.buffer instanceof ArrayBuffer);
  }
});

test('the input is never modified', () => {
  for (const name of [...TAGGED, ...PLAIN]) {
    const input = fixture(name);
    const copy = input.slice();
    stripMetadata(input, sniffImageType(input)!);
    assert.deepEqual(input, copy, name);
  }
});

test('bytes of another format than the stated one are refused as invalid', () => {
  const png = fixture('photo-plain.png');
  for (const type of [ImageType.jpeg, ImageType.webp, ImageType.gif, ImageType.avif]) {
    assert.throws(() => stripMetadata(png, type), InvalidImageError, type);
  }
  assert.throws(() => stripMetadata(fixture('photo-plain.jpg'), ImageType.png), /Not a valid PNG file/);
});

test('an unknown type is a programming error, not an invalid image', () => {
  assert.throws(() => stripMetadata(fixture('photo-plain.png'), 'image/svg+xml' as ImageType), TypeError);
  assert.throws(() => stripMetadata(fixture('photo-plain.png'), 'toString' as ImageType), TypeError);
});

test('randomly damaged files are either stripped or refused as invalid, never crash or hang', () => {
  const next = random(20240611);
  for (const name of [...TAGGED, ...PLAIN]) {
    const original = fixture(name);
    const type = sniffImageType(original)!;
    for (let round = 0; round < 300; round++) {
      const damaged = original.slice(0, next() < 0.2 ? Math.floor(next() * original.length) + 1 : original.length);
      const flips = 1 + Math.floor(next() * 8);
      for (let i = 0; i < flips; i++) damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256);
      let stripped: Uint8Array;
      try {
        stripped = stripMetadata(damaged, type);
      } catch (error) {
        assert.ok(error instanceof InvalidImageError, `${name} round ${round}: ${String(error)}`);
        continue;
      }
      assert.deepEqual(stripMetadata(stripped, type), stripped, `${name} round ${round}: stripping twice changes nothing`);
    }
  }
});
