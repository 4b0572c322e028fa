import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, subBlocks } from './fixtures.ts';
import { colorTableSize, skipSubBlocks } from './gif-blocks.ts';
import { InvalidImageError } from './invalid-image-error.ts';

test('colorTableSize reads the flag and the size from a packed field, and nothing else', () => {
  assert.equal(colorTableSize(0x00), 0);
  assert.equal(colorTableSize(0x07), 0, 'a size without the flag means no table');
  assert.equal(colorTableSize(0x80), 6);
  assert.equal(colorTableSize(0x87), 768);
  assert.equal(colorTableSize(0xf7), 768, 'the other bits are not the size');
});

test('skipSubBlocks goes past the chain and its terminator', () => {
  const chain = subBlocks('x'.repeat(300));
  assert.equal(skipSubBlocks(bytes([0x21, 0xfe], chain, [0x3b]), 2), 2 + chain.length);
  assert.equal(skipSubBlocks(bytes([0]), 0), 1);
});

test('skipSubBlocks refuses a chain that runs past the end, naming GIF', () => {
  for (const data of [bytes([200], 'short'), bytes([3], 'abc'), bytes([])]) {
    assert.throws(
      () => skipSubBlocks(data, 0),
      (error: unknown) =>
        error instanceof InvalidImageError && error.format === 'GIF' && /data sub-block/.test(error.message),
    );
  }
});
