import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEveryTruncationRejected, assertNoLeaks, bytes, count, fixture, subBlocks, u16le } from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { stripGif } from './strip-gif.ts';

/** 1×1, with a 2-colour global table. */
const HEADER = bytes('GIF89a', u16le(1), u16le(1), [0x80, 0, 0], [0, 0, 0, 255, 255, 255]);
const GCE = bytes([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);
const LOOP = bytes([0x21, 0xff, 11], 'NETSCAPE2.0', [3, 1, 0, 0, 0]);
const IMAGE = bytes([0x2c], u16le(0), u16le(0), u16le(1), u16le(1), [0], [2], subBlocks([0x44, 0x01]));
/** An image with a 2-colour local table. */
const IMAGE_LCT = bytes([0x2c], u16le(0), u16le(0), u16le(1), u16le(1), [0x80], [255, 0, 0, 0, 255, 0], [2], subBlocks([0x44, 0x01]));
const comment = (text: string) => bytes([0x21, 0xfe], subBlocks(text));
/** XMP as Adobe embeds it: raw text, then the 258-byte "magic trailer" that makes it parse as sub-blocks. */
const xmp = (packet: string) =>
  bytes([0x21, 0xff, 11], 'XMP DataXMP', packet, [1], Array.from({ length: 256 }, (_, i) => 255 - i), [0]);

test('an animated GIF loses its comment and XMP, and equals the encoder\'s file again', () => {
  const tagged = fixture('animated-gps.gif');
  assert.equal(count(tagged, 'XMP DataXMP'), 1);
  const stripped = stripGif(tagged);
  assertNoLeaks(stripped);
  assert.equal(count(stripped, 'XMP DataXMP'), 0);
  assert.equal(count(stripped, 'NETSCAPE2.0'), 1, 'looping kept');
  // exiftool only added blocks, so the result must be exactly what ImageMagick wrote.
  assert.deepEqual(stripped, fixture('animated-plain.gif'));
  assert.deepEqual(stripGif(stripped), stripped, 'stripping twice changes nothing');
});

test('comments between frames go, everything else stays in order', () => {
  const icc = bytes([0x21, 0xff, 11], 'ICCRGBG1012', subBlocks('a colour profile'));
  const plainText = bytes([0x21, 0x01, 12], new Array(12).fill(0), subBlocks('hello'));
  const file = bytes(
    HEADER,
    LOOP,
    xmp('<x:xmpmeta><exif:GPSLatitude>48,51.504N</exif:GPSLatitude></x:xmpmeta>'),
    comment('taken at home'),
    icc,
    GCE,
    IMAGE,
    comment('frame two by Alice'),
    GCE,
    IMAGE_LCT,
    plainText,
    [0x3b],
  );
  assert.deepEqual(stripGif(file), bytes(HEADER, LOOP, icc, GCE, IMAGE, GCE, IMAGE_LCT, plainText, [0x3b]));
});

test('GIF87a without a global colour table, and bytes after the trailer are dropped', () => {
  const file = bytes('GIF87a', u16le(1), u16le(1), [0, 0, 0], IMAGE_LCT, [0x3b]);
  assert.deepEqual(stripGif(bytes(file, 'GPS-SECRET')), file);
});

test('every truncation of a real GIF is refused as an invalid GIF', () => {
  assertEveryTruncationRejected(fixture('animated-gps.gif'), stripGif);
});

test('broken structure is refused with a message naming GIF and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['no header', bytes('GIF88a', new Array(20).fill(0)), /GIF87a\/GIF89a header/],
    ['a short screen descriptor', bytes('GIF89a', [1, 0, 1]), /logical screen descriptor/],
    ['a global table past the end', bytes('GIF89a', u16le(1), u16le(1), [0x87, 0, 0], [1, 2, 3]), /global colour table/],
    ['a sub-block past the end', bytes(HEADER, [0x21, 0xfe, 200], 'short'), /data sub-block at offset \d+ needs 200 bytes/],
    ['a local table past the end', bytes(HEADER, [0x2c], u16le(0), u16le(0), u16le(1), u16le(1), [0x87], [1, 2]), /local colour table/],
    ['a stray byte', bytes(HEADER, GCE, [0x99]), /unexpected byte 0x99 at offset 27/],
    ['no trailer', bytes(HEADER, GCE, IMAGE), /trailer 0x3B is missing/],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => stripGif(data),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'GIF' && message.test(error.message),
      name,
    );
  }
});
