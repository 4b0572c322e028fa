import { test } from 'node:test';
import assert from 'node:assert/strict';
import { box, bytes, fixture, u32beBytes } from './fixtures.ts';
import { sniffImageType } from './sniff.ts';

test('real files from real encoders are recognised', () => {
  assert.equal(sniffImageType(fixture('photo-plain.jpg')), 'image/jpeg');
  assert.equal(sniffImageType(fixture('photo-gps.jpg')), 'image/jpeg');
  assert.equal(sniffImageType(fixture('photo-plain.png')), 'image/png');
  assert.equal(sniffImageType(fixture('photo-plain.webp')), 'image/webp');
  assert.equal(sniffImageType(fixture('lossless-gps.webp')), 'image/webp');
  assert.equal(sniffImageType(fixture('animated-plain.gif')), 'image/gif');
  assert.equal(sniffImageType(fixture('photo-plain.avif')), 'image/avif');
  assert.equal(sniffImageType(fixture('photo-gps.avif')), 'image/avif');
});

test('GIF87a and minimal headers of each type are recognised', () => {
  assert.equal(sniffImageType(bytes('GIF87a')), 'image/gif');
  assert.equal(sniffImageType(bytes([0xff, 0xd8, 0xff])), 'image/jpeg');
  assert.equal(sniffImageType(bytes('RIFF', [0, 0, 0, 0], 'WEBP')), 'image/webp');
});

test('AVIF is recognised by a compatible brand and by the sequence brand avis', () => {
  assert.equal(sniffImageType(box('ftyp', 'mif1', u32beBytes(0), 'mif1', 'miaf', 'avif')), 'image/avif');
  assert.equal(sniffImageType(box('ftyp', 'avis', u32beBytes(0), 'msf1')), 'image/avif');
});

test('HEIC, in the same container as AVIF, is refused', () => {
  assert.equal(sniffImageType(fixture('photo.heic')), null);
  assert.equal(sniffImageType(box('ftyp', 'heic', u32beBytes(0), 'mif1', 'heic')), null);
  assert.equal(sniffImageType(box('ftyp', 'mp42', u32beBytes(0), 'isom')), null);
});

test('an ftyp box that lies about its size is refused', () => {
  // Claims 64 bytes, has 24: the avif brand after the end must not be read.
  const short = bytes(u32beBytes(64), 'ftyp', 'mif1', u32beBytes(0), 'mif1', 'avif');
  assert.equal(sniffImageType(short.subarray(0, 20)), null);
  assert.equal(sniffImageType(bytes(u32beBytes(8), 'ftyp', 'avif', u32beBytes(0))), null);
});

test('SVG, HTML, BMP, text and other formats are refused', () => {
  const refused: [string, Uint8Array][] = [
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
    ['SVG with an XML declaration', bytes('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['HTML', bytes('<!doctype html><html><body><img src=x onerror=alert(1)></body></html>')],
    ['BMP', bytes('BM', [0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0])],
    ['text', bytes('hello, this is not a picture')],
    ['JSON', bytes('{"image":"/9j/4AAQ"}')],
    ['WAV (RIFF but not WEBP)', bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')],
    ['a GIF-like header', bytes('GIF88a')],
    ['PDF', bytes('%PDF-1.7\n')],
    ['TIFF', bytes('II*\0', [8, 0, 0, 0])],
  ];
  for (const [name, data] of refused) assert.equal(sniffImageType(data), null, name);
});

test('empty and too-short input is refused without reading past the end', () => {
  assert.equal(sniffImageType(new Uint8Array(0)), null);
  assert.equal(sniffImageType(bytes([0xff])), null);
  assert.equal(sniffImageType(bytes([0xff, 0xd8])), null);
  assert.equal(sniffImageType(bytes([0x89, 0x50, 0x4e, 0x47])), null);
  assert.equal(sniffImageType(bytes('RIFF')), null);
  assert.equal(sniffImageType(bytes('GIF8')), null);
  assert.equal(sniffImageType(bytes([0, 0, 0, 0x18], 'ftyp')), null);
});

test('a view into a larger buffer is sniffed from its own start', () => {
  const buffer = bytes('junk', fixture('photo-plain.png'));
  assert.equal(sniffImageType(buffer.subarray(4)), 'image/png');
  assert.equal(sniffImageType(buffer), null);
});
