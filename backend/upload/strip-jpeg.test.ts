import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertEveryTruncationRejected,
  assertNoLeaks,
  bytes,
  count,
  exifPayload,
  fixture,
  jpegFromSos,
  jpegMarkers,
  jpegSegment,
} from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { orientationOnlyExifSegment, readExifOrientation } from './jpeg-orientation.ts';
import { stripJpeg } from './strip-jpeg.ts';

const SOI = [0xff, 0xd8];
const EOI = [0xff, 0xd9];
const JFIF = jpegSegment(0xe0, 'JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0]);
const DQT = jpegSegment(0xdb, [0], new Array(64).fill(1));
const SOF0 = jpegSegment(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
const DHT = jpegSegment(0xc4, [0], new Array(16).fill(0));
const SOS = jpegSegment(0xda, [1, 1, 0, 0, 63, 0]);
// Entropy-coded data with a stuffed 0xFF 0x00 and a restart marker, which must not end the scan.
const SCAN = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56];

test('a phone photo loses Exif GPS, XMP, IPTC and the comment, and keeps ICC and Orientation', () => {
  const tagged = fixture('photo-gps.jpg');
  const stripped = stripJpeg(tagged);
  assertNoLeaks(stripped);
  assert.equal(count(stripped, 'Photoshop 3.0'), 0, 'APP13 IPTC');
  assert.equal(count(stripped, 'http://ns.adobe.com/xap/1.0/'), 0, 'APP1 XMP');
  // The only Exif left is the 36-byte Orientation-only one, right after JFIF.
  assert.equal(count(stripped, 'Exif\0\0'), 1);
  assert.deepEqual(jpegMarkers(stripped), [0xe0, 0xe1, 0xe2, 0xdb, 0xdb, 0xc0, 0xc4, 0xc4, 0xc4, 0xc4, 0xda]);
  assert.equal(readExifOrientation(stripped.subarray(20 + 4, 20 + 36)), 6);
  assert.equal(count(stripped, 'ICC_PROFILE\0'), 1);
  assert.deepEqual(jpegFromSos(stripped), jpegFromSos(tagged), 'scan data is byte-identical');
});

test('stripping the tagged photo gives the encoder output plus the Orientation segment, exactly', () => {
  const plain = fixture('photo-plain.jpg');
  const app0End = 2 + 18; // SOI + the 18-byte JFIF APP0
  const expected = bytes(plain.subarray(0, app0End), orientationOnlyExifSegment(6), plain.subarray(app0End));
  assert.deepEqual(stripJpeg(fixture('photo-gps.jpg')), expected);
});

test('a JPEG without metadata comes back unchanged, and stripping twice changes nothing', () => {
  const plain = fixture('photo-plain.jpg');
  assert.deepEqual(stripJpeg(plain), plain);
  const once = stripJpeg(fixture('photo-gps.jpg'));
  assert.deepEqual(stripJpeg(once), once);
});

test('exactly the allowed segments survive, in order', () => {
  const file = bytes(
    SOI,
    JFIF,
    jpegSegment(0xe0, 'JFXX\0', [0x10], 'thumbnail of the uncropped photo'),
    jpegSegment(0xe1, exifPayload('II', [{ tag: 0x0112, value: 8 }], 'GPS-SECRET')),
    jpegSegment(0xe1, 'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>'),
    jpegSegment(0xe2, 'ICC_PROFILE\0', [1, 1], 'profile'),
    jpegSegment(0xe2, 'MPF\0', 'II*\0'),
    jpegSegment(0xed, 'Photoshop 3.0\0', '8BIM city'),
    jpegSegment(0xee, 'Adobe', [0, 100, 0, 0, 0, 0, 1]),
    jpegSegment(0xef, 'vendor data'),
    jpegSegment(0xe5, 'RMETA'),
    jpegSegment(0xfe, 'a comment with a name'),
    DQT,
    SOF0,
    DHT,
    [0xff, 0xff], // fill bytes before a marker are allowed
    SOS,
    SCAN,
    EOI,
  );
  const expected = bytes(
    SOI,
    JFIF,
    orientationOnlyExifSegment(8),
    jpegSegment(0xe2, 'ICC_PROFILE\0', [1, 1], 'profile'),
    jpegSegment(0xee, 'Adobe', [0, 100, 0, 0, 0, 0, 1]),
    DQT,
    SOF0,
    DHT,
    SOS,
    SCAN,
    EOI,
  );
  const stripped = stripJpeg(file);
  assert.deepEqual(stripped, expected);
  assert.deepEqual(stripJpeg(stripped), stripped);
});

test('Orientation 1, or none, writes no Exif back', () => {
  for (const exif of [exifPayload('MM', [{ tag: 0x0112, value: 1 }], 'GPS'), exifPayload('MM', [{ tag: 0x0110, value: 1 }])]) {
    const file = bytes(SOI, JFIF, jpegSegment(0xe1, exif), DQT, SOF0, DHT, SOS, SCAN, EOI);
    assert.deepEqual(stripJpeg(file), bytes(SOI, JFIF, DQT, SOF0, DHT, SOS, SCAN, EOI));
  }
});

test('without a leading JFIF the Orientation goes right after SOI, and stays there on a second pass', () => {
  const file = bytes(SOI, jpegSegment(0xe1, exifPayload('MM', [{ tag: 0x0112, value: 3 }])), JFIF, DQT, SOF0, DHT, SOS, SCAN, EOI);
  const stripped = stripJpeg(file);
  assert.deepEqual(stripped, bytes(SOI, orientationOnlyExifSegment(3), JFIF, DQT, SOF0, DHT, SOS, SCAN, EOI));
  assert.deepEqual(stripJpeg(stripped), stripped);
});

test('the first Exif Orientation wins, and a broken Exif is dropped without failing the image', () => {
  const first = jpegSegment(0xe1, exifPayload('MM', [{ tag: 0x0112, value: 5 }]));
  const second = jpegSegment(0xe1, exifPayload('MM', [{ tag: 0x0112, value: 7 }]));
  assert.deepEqual(stripJpeg(bytes(SOI, first, second, SOF0, SOS, SCAN, EOI)), bytes(SOI, orientationOnlyExifSegment(5), SOF0, SOS, SCAN, EOI));
  const broken = jpegSegment(0xe1, 'Exif\0\0MM\0*', [0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(stripJpeg(bytes(SOI, broken, SOF0, SOS, SCAN, EOI)), bytes(SOI, SOF0, SOS, SCAN, EOI));
});

test('progressive scans are copied to the real EOI, even when a table between scans holds FF D9', () => {
  const tricky = jpegSegment(0xc4, [0x10], [0xff, 0xd9, 0xff, 0xd9]);
  const scans = bytes(SOS, SCAN, tricky, SOS, SCAN, jpegSegment(0xdd, [0, 4]), SOS, [0x77], EOI);
  const file = bytes(SOI, JFIF, jpegSegment(0xfe, 'hi'), SOF0, scans);
  assert.deepEqual(stripJpeg(file), bytes(SOI, JFIF, SOF0, scans));
});

test('whatever follows EOI (appended images, vendor trailers, leftovers) is dropped', () => {
  const plain = fixture('photo-plain.jpg');
  const trailer = bytes(SOI, jpegSegment(0xe1, exifPayload('MM', [], 'GPS-SECRET')), 'uncropped original');
  assert.deepEqual(stripJpeg(bytes(plain, trailer)), plain);
});

test('every truncation of a real photo is refused as an invalid JPEG', () => {
  assertEveryTruncationRejected(fixture('photo-gps.jpg'), stripJpeg);
});

test('broken structure is refused with a message naming JPEG and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['no SOI', bytes('not a jpeg at all'), /SOI/],
    ['a PNG', fixture('photo-plain.png'), /SOI/],
    ['a segment longer than the file', bytes(SOI, [0xff, 0xe1, 0xff, 0xff], 'Exif\0\0'), /0xE1 segment .* needs 65535 bytes/],
    ['a segment length below 2', bytes(SOI, [0xff, 0xe1, 0x00, 0x01], SOS, SCAN, EOI), /impossible length 1/],
    ['garbage where a marker should be', bytes(SOI, JFIF, [0x12, 0x34], SOS, SCAN, EOI), /expected a marker at offset 20/],
    ['EOI before any scan', bytes(SOI, JFIF, EOI), /before any image data/],
    ['a second SOI', bytes(SOI, JFIF, SOI, SOS, SCAN, EOI), /second SOI/],
    ['a stuffed byte outside the scan', bytes(SOI, [0xff, 0x00], SOS, SCAN, EOI), /stuffed/],
    ['only fill bytes', bytes(SOI, [0xff, 0xff, 0xff]), /fill bytes/],
    ['scan data without EOI', bytes(SOI, SOF0, SOS, SCAN), /no end \(EOI/],
    ['a segment after the scan longer than the file', bytes(SOI, SOF0, SOS, SCAN, [0xff, 0xc4, 0x10, 0x00]), /needs 4096 bytes/],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => stripJpeg(data),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'JPEG' && /^Not a valid JPEG file: /.test(error.message) && message.test(error.message),
      name,
    );
  }
});

test('the input is not modified', () => {
  const tagged = fixture('photo-gps.jpg');
  const copy = tagged.slice();
  stripJpeg(tagged);
  assert.deepEqual(tagged, copy);
});
