import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCache, describeEventBus, pictureMeta } from './cache.contract.ts';
import { createMemoryCache, createMemoryEventBus } from './memory.ts';

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

describeCache('memory', async () => {
  const clock = fakeClock();
  const cache = createMemoryCache({ now: clock.now });
  return { cache, elapse: async (ms) => clock.advance(ms), dispose: () => cache.close() };
});

describeEventBus('memory', async () => {
  const errors: unknown[] = [];
  const bus = createMemoryEventBus({ onError: (error) => errors.push(error) });
  return { bus, other: bus, errors, dispose: () => bus.close() };
});

describe('memory cache: LRU', () => {
  const ids = (cache: ReturnType<typeof createMemoryCache>, userIds: string[]) =>
    cache.getMany(userIds).then((values) => userIds.filter((_, i) => values[i] !== undefined));

  test('holds at most maxEntries; the least recently used goes first', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) await cache.set(id, pictureMeta(id), 60_000);
    await cache.getMany(['a']); // a is now the most recently used: b is the oldest
    await cache.set('d', null, 60_000);
    assert.deepEqual(await ids(cache, ['a', 'b', 'c', 'd']), ['a', 'c', 'd']);
    assert.equal((await cache.stats()).keys, 3);
  });

  test('reading and re-setting both count as use, in the order they happen', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) await cache.set(id, null, 60_000);
    await cache.getMany(['c']);
    await cache.set('a', null, 60_000); // replacing an entry does not evict anyone
    assert.equal((await cache.stats()).keys, 3);
    // use order now: b, c, a
    await cache.set('d', null, 60_000);
    assert.deepEqual(await ids(cache, ['a', 'b', 'c', 'd']), ['a', 'c', 'd']);
    // the read above used a, c, d in that order
    await cache.set('e', null, 60_000);
    await cache.set('f', null, 60_000);
    assert.deepEqual(await ids(cache, ['a', 'c', 'd', 'e', 'f']), ['d', 'e', 'f']);
  });

  test('an onlyIfAbsent set that finds an entry does not count as its use', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', null, 60_000);
    await cache.set('b', null, 60_000);
    await cache.set('a', pictureMeta('a'), 60_000, { onlyIfAbsent: true });
    await cache.set('c', null, 60_000);
    assert.deepEqual(await ids(cache, ['a', 'b', 'c']), ['b', 'c']);
  });

  test('a cache of one keeps the last one', async () => {
    const cache = createMemoryCache({ maxEntries: 1 });
    await cache.set('a', null, 60_000);
    await cache.set('b', null, 60_000);
    assert.deepEqual(await ids(cache, ['a', 'b']), ['b']);
  });

  test('expired entries are dropped when read, so they hold no place', async () => {
    const clock = fakeClock();
    const cache = createMemoryCache({ maxEntries: 2, now: clock.now });
    await cache.set('kept', null, 60_000);
    await cache.set('old', null, 100); // the most recently used, but about to expire
    clock.advance(200);
    assert.deepEqual(await cache.getMany(['old']), [undefined]);
    await cache.set('new', null, 60_000);
    assert.deepEqual(await ids(cache, ['old', 'kept', 'new']), ['kept', 'new']);
  });

  test('a maxEntries that is not a positive integer throws at construction', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createMemoryCache({ maxEntries }), RangeError);
    }
  });

  test('counters belong to each cache', async () => {
    const one = createMemoryCache();
    const two = createMemoryCache();
    one.count(1, 2);
    assert.deepEqual(await two.stats(), { hits: 0, misses: 0, keys: 0 });
    assert.deepEqual(await one.stats(), { hits: 1, misses: 2, keys: 0 });
  });
});
