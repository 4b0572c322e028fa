import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertEveryTruncationRejected,
  assertNoLeaks,
  box,
  bytes,
  count,
  exifPayload,
  fixture,
  fullBox,
  u16be,
  u32be,
  u64be,
  type Part,
} from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { readBoxes, readItemInfos, readItemLocations } from './isobmff.ts';
import { stripAvif } from './strip-avif.ts';

/** The bytes of item `type` in a well-formed file whose items are stored with construction method 0. */
function itemBytes(file: Uint8Array, type: string): Uint8Array {
  const meta = readBoxes(file, 0, file.length).find((b) => b.type === 'meta')!;
  const children = readBoxes(file, meta.payload + 4, meta.end);
  const id = readItemInfos(file, children.find((b) => b.type === 'iinf')!).find((i) => i.type === type)!.id;
  const location = readItemLocations(file, children.find((b) => b.type === 'iloc')!).find((l) => l.id === id)!;
  return bytes(...location.extents.map((e) => file.subarray(location.baseOffset + e.offset, location.baseOffset + e.offset + e.length)));
}

test('a tagged AVIF has its Exif and XMP items zeroed, and its image item untouched', () => {
  const tagged = fixture('photo-gps.avif');
  assert.equal(count(tagged, 'MM\0*'), 1);
  const stripped = stripAvif(tagged);
  assertNoLeaks(stripped);
  assert.equal(count(stripped, 'MM\0*'), 0, 'no Exif TIFF header');
  assert.equal(stripped.length, tagged.length, 'nothing moves');
  for (const type of ['Exif', 'mime']) {
    assert.ok(itemBytes(tagged, type).length > 0);
    assert.ok(itemBytes(stripped, type).every((b) => b === 0), `${type} item zeroed`);
  }
  // The AV1 data is the same as in the file ImageMagick wrote before exiftool touched it.
  assert.deepEqual(itemBytes(stripped, 'av01'), itemBytes(tagged, 'av01'));
  assert.deepEqual(itemBytes(stripped, 'av01'), itemBytes(fixture('photo-plain.avif'), 'av01'));
  // Only bytes of the two metadata items changed, and only to zero.
  const changed = [...stripped.keys()].filter((i) => stripped[i] !== tagged[i]);
  assert.equal(changed.length > 0 && changed.every((i) => stripped[i] === 0), true);
  const metadataBytes = itemBytes(tagged, 'Exif').length + itemBytes(tagged, 'mime').length;
  assert.ok(changed.length <= metadataBytes);
  // Every box outside mdat is unchanged.
  const mdat = readBoxes(tagged, 0, tagged.length).find((b) => b.type === 'mdat')!;
  assert.deepEqual(stripped.subarray(0, mdat.payload), tagged.subarray(0, mdat.payload));
});

test('an AVIF without metadata comes back unchanged, and stripping twice changes nothing', () => {
  const plain = fixture('photo-plain.avif');
  assert.deepEqual(stripAvif(plain), plain);
  const once = stripAvif(fixture('photo-gps.avif'));
  assert.deepEqual(stripAvif(once), once);
});

test('every truncation of a real AVIF is refused as an invalid AVIF', () => {
  assertEveryTruncationRejected(fixture('photo-gps.avif'), stripAvif);
});

// --- Files built in code, for the iloc/infe variants no encoder here writes ------------------------

interface Item {
  id: number;
  type: string;
  contentType?: string;
  /** 0: in mdat, 1: in idat, 2: from other items. */
  method?: number;
  dataReferenceIndex?: number;
  /** Extents as [offset, length] relative to the start of mdat's (or idat's) payload. */
  extents: [number, number][];
}

interface Layout {
  ilocVersion: 0 | 1 | 2;
  infeVersion: 2 | 3;
  offsetSize?: 4 | 8;
  baseOffset?: number;
  items: Item[];
  mdat: Part;
  idat?: Part;
  /** mdat with a 64-bit largesize. */
  largeMdat?: boolean;
}

const FTYP = box('ftyp', 'avif', u32be(0), 'avif', 'mif1', 'miaf');
const HDLR = fullBox('hdlr', 0, 0, u32be(0), 'pict', u32be(0), u32be(0), u32be(0), '\0');

function infe(version: 2 | 3, item: Item): Uint8Array {
  const id = version === 2 ? u16be(item.id) : u32be(item.id);
  return fullBox('infe', version, 0, id, u16be(0), item.type, 'name\0', item.contentType ? `${item.contentType}\0` : '');
}

function iloc(layout: Layout, mdatPayload: number): Uint8Array {
  const v = layout.ilocVersion;
  const offsetSize = layout.offsetSize ?? 4;
  const word = (n: number, size: number) => (size === 8 ? u64be(n) : u32be(n));
  const base = layout.baseOffset ?? 0;
  const entries = layout.items.map((item) => {
    const origin = (item.method ?? 0) === 0 ? mdatPayload : 0;
    return bytes(
      v === 2 ? u32be(item.id) : u16be(item.id),
      v >= 1 ? u16be(item.method ?? 0) : [],
      u16be(item.dataReferenceIndex ?? 0),
      u32be(base), // base_offset_size 4
      u16be(item.extents.length),
      ...item.extents.map(([offset, length]) => bytes(v >= 1 ? u32be(0) : [], word(origin + offset - base, offsetSize), u32be(length))),
    );
  });
  const sizes = [(offsetSize << 4) | 4, (4 << 4) | (v >= 1 ? 4 : 0)];
  return fullBox('iloc', v, 0, sizes, v === 2 ? u32be(layout.items.length) : u16be(layout.items.length), ...entries);
}

function avif(layout: Layout): Uint8Array {
  const build = (mdatPayload: number) =>
    fullBox(
      'meta',
      0,
      0,
      HDLR,
      fullBox('pitm', 0, 0, u16be(1)),
      iloc(layout, mdatPayload),
      fullBox('iinf', 0, 0, u16be(layout.items.length), ...layout.items.map((item) => infe(layout.infeVersion, item))),
      layout.idat === undefined ? [] : box('idat', layout.idat),
    );
  const header = layout.largeMdat ? 16 : 8;
  const meta = build(FTYP.length + build(0).length + header);
  const data = bytes(layout.mdat);
  const mdat = layout.largeMdat ? bytes(u32be(1), 'mdat', u64be(data.length + 16), data) : box('mdat', data);
  return bytes(FTYP, meta, mdat);
}

const AV1 = 'AV1-PIXELS';
const EXIF = bytes(u32be(0), exifPayload('MM', [{ tag: 0x0112, value: 6 }], 'GPS-SECRET').subarray(6));
const XMP = '<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>';

test('iloc version 1 with an idat item, a base offset and split extents', () => {
  const file = avif({
    ilocVersion: 1,
    infeVersion: 2,
    baseOffset: 2,
    items: [
      { id: 1, type: 'av01', extents: [[0, AV1.length]] },
      { id: 2, type: 'Exif', method: 1, extents: [[2, EXIF.length]] },
      { id: 3, type: 'mime', contentType: 'application/rdf+xml', extents: [[AV1.length, 10], [AV1.length + 10, XMP.length - 10]] },
    ],
    mdat: bytes(AV1, XMP),
    idat: bytes('..', EXIF),
  });
  const stripped = stripAvif(file);
  assert.equal(count(stripped, 'GPS-SECRET'), 0);
  assert.equal(count(stripped, 'GPSLatitude'), 0);
  assert.equal(count(stripped, AV1), 1);
  assert.equal(count(stripped, bytes('..', new Uint8Array(EXIF.length))), 1, 'the Exif bytes in idat are zeros, the two before them not');
  assert.equal(count(stripped, bytes(AV1, new Uint8Array(XMP.length))), 1, 'both XMP extents are zeros');
  assert.deepEqual(stripAvif(stripped), stripped);
});

test('iloc version 2 and infe version 3 with 32-bit item ids, 64-bit offsets and a largesize mdat', () => {
  const file = avif({
    ilocVersion: 2,
    infeVersion: 3,
    offsetSize: 8,
    largeMdat: true,
    items: [
      { id: 70000, type: 'av01', extents: [[0, AV1.length]] },
      { id: 70001, type: 'Exif', extents: [[AV1.length, EXIF.length]] },
    ],
    mdat: bytes(AV1, EXIF),
  });
  const stripped = stripAvif(file);
  assert.deepEqual(stripped, bytes(file.subarray(0, file.length - EXIF.length), new Uint8Array(EXIF.length)));
});

test('items that are not metadata, or live in another file, are left alone', () => {
  const file = avif({
    ilocVersion: 0,
    infeVersion: 2,
    items: [
      { id: 1, type: 'av01', extents: [[0, AV1.length]] },
      { id: 2, type: 'mime', contentType: 'image/jpeg', extents: [[AV1.length, 4]] },
      { id: 3, type: 'Exif', dataReferenceIndex: 1, extents: [[0, 4]] },
    ],
    mdat: bytes(AV1, 'JPEG'),
  });
  assert.deepEqual(stripAvif(file), file);
});

test('an image sequence without a meta box is returned as it is', () => {
  const file = bytes(box('ftyp', 'avis', u32be(0), 'avis', 'msf1'), box('moov', box('mvhd', u32be(0))), box('mdat', 'frames'));
  assert.deepEqual(stripAvif(file), file);
});

test('broken structure or uncleanable metadata is refused with a message naming AVIF and the problem', () => {
  const exifItem = (over: Partial<Item>): Layout => ({
    ilocVersion: 1,
    infeVersion: 2,
    items: [{ id: 1, type: 'av01', extents: [[0, AV1.length]] }, { id: 2, type: 'Exif', extents: [[AV1.length, EXIF.length]], ...over }],
    mdat: bytes(AV1, EXIF),
  });
  const good = avif(exifItem({}));
  const metaStart = FTYP.length;
  const withByte = (at: number, value: number) => {
    const copy = good.slice();
    copy[at] = value;
    return copy;
  };
  const ilocAt = metaStart + 12 + HDLR.length + 14; // meta header, hdlr, pitm
  const cases: [string, Uint8Array, RegExp][] = [
    ['no ftyp', bytes(box('meta', u32be(0)), box('mdat', 'x')), /does not start with an ftyp box/],
    ['a box longer than the file', bytes(FTYP, u32be(500), 'mdat', 'short'), /"mdat" box at offset 28 claims 500 bytes/],
    ['a box size below its header', bytes(FTYP, u32be(4), 'free'), /claims 4 bytes/],
    ['a cut-off box header', bytes(FTYP, [0, 0, 0]), /box header at offset 28/],
    ['a cut-off largesize', bytes(FTYP, u32be(1), 'mdat', [0, 0]), /cut-off 64-bit size/],
    ['a largesize beyond 2^53', bytes(FTYP, u32be(1), 'mdat', [0xff, 0, 0, 0, 0, 0, 0, 0]), /claims Infinity bytes/],
    ['two meta boxes', bytes(FTYP, box('meta', u32be(0)), box('meta', u32be(0))), /more than one top-level meta/],
    ['neither meta nor moov', bytes(FTYP, box('mdat', 'x')), /neither a meta box/],
    ['a meta box without version', bytes(FTYP, box('meta', [0, 0])), /too short/],
    ['metadata items without iloc', bytes(FTYP, fullBox('meta', 0, 0, fullBox('iinf', 0, 0, u16be(1), infe(2, { id: 1, type: 'Exif', extents: [] })))), /no iloc box/],
    ['construction method 2', avif(exifItem({ method: 2 })), /construction method 2/],
    ['an extent outside mdat', avif(exifItem({ extents: [[-40, 8]] })), /outside any mdat box/],
    ['an extent past the end', avif(exifItem({ extents: [[AV1.length, 1000]] })), /outside any mdat box/],
    ['an extent without a length', avif(exifItem({ extents: [[AV1.length, 0]] })), /extent without a length/],
    ['an idat extent without idat', avif(exifItem({ method: 1, extents: [[0, 4]] })), /outside any idat box/],
    ['iloc version 3', withByte(ilocAt + 8, 3), /iloc version 3 is not defined/],
    ['an iloc field size of 2', withByte(ilocAt + 12, 0x24), /offset_size is 2/],
    ['an iloc item count past the box', withByte(ilocAt + 15, 200), /iloc box at offset \d+ ends in the middle of a field/],
  ];
  assert.equal(String.fromCharCode(...good.subarray(ilocAt + 4, ilocAt + 8)), 'iloc');
  for (const [name, data, message] of cases) {
    assert.throws(
      () => stripAvif(data),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'AVIF' && message.test(error.message),
      name,
    );
  }
});
