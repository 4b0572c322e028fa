import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes } from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { isStandalone, readMarker } from './jpeg-markers.ts';

test('readMarker skips the fill bytes before a marker and says where it starts', () => {
  assert.deepEqual(readMarker(bytes([0xff, 0xd8, 0xff, 0xff, 0xff, 0xe0]), 2), { marker: 0xe0, start: 4 });
  assert.deepEqual(readMarker(bytes([0xff, 0xc0]), 0), { marker: 0xc0, start: 0 });
});

test('readMarker refuses what is not a marker, naming JPEG and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['garbage', bytes([0xff, 0xd8, 0x12, 0x34]), /expected a marker at offset 2, found 0x12/],
    ['only fill bytes', bytes([0xff, 0xd8, 0xff, 0xff, 0xff]), /fill bytes/],
    ['a stuffed byte', bytes([0xff, 0xd8, 0xff, 0x00]), /stuffed 0xFF 0x00 at offset 2/],
    ['the end of the file', bytes([0xff, 0xd8, 0xff]), /needs 2 bytes but only 1 remain/],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => readMarker(data, 2),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'JPEG' && message.test(error.message),
      name,
    );
  }
});

test('only TEM and the restart markers stand without a length', () => {
  const standalone = [0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7];
  for (let marker = 0; marker <= 0xff; marker++)
    assert.equal(isStandalone(marker), standalone.includes(marker), marker.toString(16));
});
