import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, exifPayload, u16be, u32be } from './fixtures.ts';
import { orientationOnlyExifSegment, readExifOrientation } from './jpeg-orientation.ts';

test('Orientation is read in both byte orders, among other tags', () => {
  const entries = [{ tag: 0x010f, type: 2, count: 4, value: 0 }, { tag: 0x0112, value: 6 }];
  assert.equal(readExifOrientation(exifPayload('MM', entries)), 6);
  assert.equal(readExifOrientation(exifPayload('II', entries)), 6);
  assert.equal(readExifOrientation(exifPayload('II', [{ tag: 0x0112, value: 1 }])), 1);
});

test('missing or unreadable Orientation answers null instead of throwing', () => {
  const cases: [string, Uint8Array][] = [
    ['no Orientation tag', exifPayload('MM', [{ tag: 0x010f, value: 3 }])],
    ['an out-of-range value', exifPayload('MM', [{ tag: 0x0112, value: 9 }])],
    ['value 0', exifPayload('II', [{ tag: 0x0112, value: 0 }])],
    ['the wrong type', exifPayload('MM', [{ tag: 0x0112, type: 4, value: 6 }])],
    ['a count of 2', exifPayload('MM', [{ tag: 0x0112, count: 2, value: 6 }])],
    ['not Exif (XMP)', bytes('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>')],
    ['an unknown byte order', bytes('Exif\0\0', 'XX', u16be(42), u32be(8))],
    ['a bad TIFF magic', bytes('Exif\0\0', 'MM', u16be(43), u32be(8), u16be(0))],
    ['IFD0 past the end', bytes('Exif\0\0', 'MM', u16be(42), u32be(4000))],
    ['IFD0 inside the header', bytes('Exif\0\0', 'MM', u16be(42), u32be(2), u16be(0))],
    ['more entries than bytes', bytes('Exif\0\0', 'MM', u16be(42), u32be(8), u16be(500), [1, 0x12])],
    ['only the identifier', bytes('Exif\0\0')],
    ['nothing', new Uint8Array(0)],
  ];
  for (const [name, payload] of cases) assert.equal(readExifOrientation(payload), null, name);
});

test('the written-back segment is a 36-byte APP1 that reads back, and holds nothing else', () => {
  for (let orientation = 1; orientation <= 8; orientation++) {
    const segment = orientationOnlyExifSegment(orientation);
    assert.equal(segment.length, 36);
    assert.deepEqual([...segment.subarray(0, 4)], [0xff, 0xe1, 0, 36 - 2]);
    assert.equal(readExifOrientation(segment.subarray(4)), orientation);
    // Only IFD0 with its single entry: no pointers to GPS or Exif sub-IFDs, no strings.
    assert.deepEqual([...segment.subarray(18, 20)], [0, 1]);
  }
});
