import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCopyMemory } from './copy-memory.ts';
import type { PictureBytes } from './storage/storage.ts';

const whole = (bytes: number): PictureBytes => ({ body: new Uint8Array(bytes), contentType: 'image/webp', bytes });

// The clock is given, so the test tells "once ttlMs old" to the millisecond without waiting for it.
test('keeps copies read whole for ttlMs, then reads them again', () => {
  let now = 1_000;
  const memory = createCopyMemory({ maxBytes: 10_000, ttlMs: 500, now: () => now });
  const copy = whole(100);
  memory.keep('ada/v/64', copy);
  assert.equal(memory.get('ada/v/64'), copy);
  assert.equal(memory.get('ada/v/128'), undefined, 'another width is another copy');
  now += 499;
  assert.equal(memory.get('ada/v/64'), copy);
  now += 1;
  assert.equal(memory.get('ada/v/64'), undefined, 'once ttlMs old it is gone');
});

test('holds at most maxBytes, dropping the copies served least lately', () => {
  const memory = createCopyMemory({ maxBytes: 300, ttlMs: 60_000 });
  for (const key of ['a', 'b', 'c']) memory.keep(key, whole(100));
  assert.ok(memory.get('a'), 'a is served again, so b is now the least lately served');
  memory.keep('d', whole(100));
  assert.equal(memory.get('b'), undefined);
  for (const key of ['a', 'c', 'd']) assert.ok(memory.get(key), `${key} is kept`);
  memory.keep('e', whole(250));
  assert.deepEqual(
    ['a', 'c', 'd', 'e'].map((key) => !!memory.get(key)),
    [false, false, false, true],
    'a copy of 250 bytes leaves room for nothing else',
  );
  memory.keep('e', whole(250));
  assert.ok(memory.get('e'), 'keeping the same copy again counts its bytes once');
});

test('keeps no streamed copy, none larger than maxBytes, and nothing with maxBytes 0', () => {
  const memory = createCopyMemory({ maxBytes: 1_000, ttlMs: 60_000 });
  memory.keep('streamed', { body: new ReadableStream(), contentType: 'image/webp', bytes: 10 });
  memory.keep('large', whole(1_001));
  assert.equal(memory.get('streamed'), undefined);
  assert.equal(memory.get('large'), undefined);
  const none = createCopyMemory({ maxBytes: 0, ttlMs: 60_000 });
  none.keep('a', whole(1));
  assert.equal(none.get('a'), undefined);
});
