import assert from 'node:assert/strict';
import { test } from 'node:test';
import { box, bytes, u32beBytes } from './fixtures.ts';
import { InvalidImageError } from './invalid-image-error.ts';
import { readBoxes } from './isobmff.ts';

const FTYP = box('ftyp', 'avif', u32beBytes(0), 'mif1');

test('readBoxes finds the boxes that tile a range, with 64-bit sizes, uuid types and a box that runs to the end', () => {
  const uuid = box('uuid', '0123456789abcdef', 'data');
  const large = bytes(u32beBytes(1), 'free', u32beBytes(0), u32beBytes(20), 'abcd');
  const file = bytes(FTYP, uuid, large, u32beBytes(0), 'mdat', 'to the end');
  const boxes = readBoxes(file, 0, file.length).map(({ type, start, payload, end }) => ({ type, start, payload, end }));
  assert.deepEqual(boxes, [
    { type: 'ftyp', start: 0, payload: 8, end: 20 },
    { type: 'uuid', start: 20, payload: 44, end: 48 },
    { type: 'free', start: 48, payload: 64, end: 68 },
    { type: 'mdat', start: 68, payload: 76, end: file.length },
  ]);
});

test('readBoxes refuses sizes that do not fit, naming AVIF and the problem', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    [
      'a box longer than the file',
      bytes(FTYP, u32beBytes(500), 'mdat', 'short'),
      /"mdat" box at offset 20 claims 500 bytes/,
    ],
    ['a box size below its header', bytes(FTYP, u32beBytes(4), 'free'), /claims 4 bytes/],
    ['a header cut short', bytes(FTYP, u32beBytes(8)), /box header at offset 20/],
    ['a cut-off largesize', bytes(FTYP, u32beBytes(1), 'mdat', [0, 0]), /cut-off 64-bit size/],
    [
      'a largesize beyond 2^53',
      bytes(FTYP, u32beBytes(1), 'mdat', [0xff, 0, 0, 0, 0, 0, 0, 0]),
      /claims Infinity bytes/,
    ],
  ];
  for (const [name, data, message] of cases) {
    assert.throws(
      () => readBoxes(data, 0, data.length),
      (error: unknown) => error instanceof InvalidImageError && error.format === 'AVIF' && message.test(error.message),
      name,
    );
  }
});
