import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PNG_SIGNATURE,
  assertEveryTruncationRejected,
  assertNoLeaks,
  bytes,
  count,
  exifPayload,
  fixture,
  pngChunk,
  pngChunks,
  u32be,
} from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { stripPng } from './strip-png.ts';

const IHDR = pngChunk('IHDR', u32be(1), u32be(1), [8, 0, 0, 0, 0]);
const IDAT = pngChunk('IDAT', [0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
const IEND = pngChunk('IEND');

const types = (file: Uint8Array) => pngChunks(file).map((c) => c.type);
const idat = (file: Uint8Array) => pngChunks(file).filter((c) => c.type === 'IDAT').map((c) => c.chunk);

test('a tagged PNG loses eXIf, text chunks (comment, XMP, IPTC) and tIME, and keeps its image data', () => {
  const tagged = fixture('photo-gps.png');
  assert.ok(types(tagged).includes('eXIf') && types(tagged).includes('iTXt') && types(tagged).includes('tIME'));
  const stripped = stripPng(tagged);
  assertNoLeaks(stripped);
  assert.equal(count(stripped, 'MM\0*'), 0, 'no Exif TIFF header');
  assert.deepEqual(types(stripped), ['IHDR', 'gAMA', 'cHRM', 'bKGD', 'IDAT', 'IEND']);
  assert.deepEqual(idat(stripped), idat(tagged), 'IDAT is byte-identical');
});

test('the tagged and the encoder\'s PNG strip to the same bytes, and stripping twice changes nothing', () => {
  const stripped = stripPng(fixture('photo-gps.png'));
  assert.deepEqual(stripped, stripPng(fixture('photo-plain.png')));
  assert.deepEqual(stripPng(stripped), stripped);
});

test('other chunks, including iCCP, sRGB, pHYs and unknown ones, are kept verbatim in order', () => {
  const kept = [
    IHDR,
    pngChunk('iCCP', 'sRGB\0\0', [0x78, 0x9c]),
    pngChunk('sRGB', [0]),
    pngChunk('pHYs', u32be(2835), u32be(2835), [1]),
    pngChunk('acTL', u32be(1), u32be(0)),
    pngChunk('prVt', 'private but not metadata'),
    IDAT,
    IDAT,
  ];
  const file = bytes(
    PNG_SIGNATURE,
    kept[0]!,
    pngChunk('eXIf', exifPayload('MM', [{ tag: 0x0112, value: 6 }], 'GPS-SECRET').subarray(6)),
    ...kept.slice(1, 4),
    pngChunk('tEXt', 'Comment\0taken at home'),
    pngChunk('zTXt', 'Raw profile type xmp\0\0', [0x78, 0x9c]),
    pngChunk('iTXt', 'XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>'),
    pngChunk('tIME', [0x07, 0xe8, 1, 2, 3, 4, 5]),
    ...kept.slice(4),
    pngChunk('tEXt', 'Author\0Alice'),
    IEND,
  );
  assert.deepEqual(stripPng(file), bytes(PNG_SIGNATURE, ...kept, IEND));
});

test('bytes after IEND (such as an uncropped original) are dropped', () => {
  const plain = fixture('photo-plain.png');
  const leftovers = bytes(pngChunk('IDAT', 'the rest of a larger picture'), 'GPS-SECRET');
  assert.deepEqual(stripPng(bytes(plain, leftovers)), stripPng(plain));
});

test('every truncation of a real PNG is refused as an invalid PNG', () => {
  assertEveryTruncationRejected(fixture('photo-gps.png'), stripPng);
});

test('broken structure is refused with a message naming PNG and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['no signature', bytes('GIF89a and more bytes'), /signature/],
    ['a chunk longer than the file', bytes(PNG_SIGNATURE, IHDR, u32be(1000), 'IDAT', new Array(20).fill(1)), /IDAT chunk at offset 33 needs 1012 bytes/],
    ['a length above 2^31', bytes(PNG_SIGNATURE, IHDR, u32be(0xffffffff), 'IDAT', new Array(8).fill(0)), /claims 4294967295 bytes/],
    ['a malformed type', bytes(PNG_SIGNATURE, IHDR, u32be(0), 'ID@T', u32be(0), IEND), /malformed type/],
    ['a first chunk that is not IHDR', bytes(PNG_SIGNATURE, IDAT, IHDR, IEND), /first chunk is IDAT/],
    ['no IDAT', bytes(PNG_SIGNATURE, IHDR, IEND), /no image data/],
    ['no IEND', bytes(PNG_SIGNATURE, IHDR, IDAT), /chunk header at offset \d+ needs 12 bytes but only 0 remain/],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => stripPng(data),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'PNG' && message.test(error.message),
      name,
    );
  }
});
