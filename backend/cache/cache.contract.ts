/**
 * The behaviour every LookupCache and EventBus promises, written once and run against each implementation
 * (`memory.test.ts`, `redis-cache.test.ts`, `redis-events.test.ts`, `redis-cluster.test.ts`). Test code: imported only
 * by tests.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PictureChangedEvent, PictureMeta } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import type { EventBus, LookupCache } from './cache.ts';

export interface CacheFixture {
  cache: LookupCache;
  /** Lets `ms` pass for the cache: a real sleep for Redis, an injected clock for memory. */
  elapse(ms: number): Promise<void>;
  /** Closes the cache and whatever was made for it. */
  dispose(): Promise<void>;
}

export interface EventBusFixture {
  /** The bus events are published on. */
  bus: EventBus;
  /** Another instance's bus (the same bus where there is only one process). */
  other: EventBus;
  /** What `onError` of `other` was told. */
  errors: unknown[];
  dispose(): Promise<void>;
}

/** Metadata as the service would give it: copies at two widths (`url` names the wider) and a preview. */
export function pictureMeta(userId: string, version = 'v1'): PictureMeta {
  const variants = [64, 256].map((width) => ({
    width,
    url: `/images/${userId}/${version}/${width}.webp`,
    bytes: width * 5,
  }));
  return {
    userId,
    version,
    url: variants[1]!.url,
    contentType: 'image/webp',
    bytes: variants[1]!.bytes,
    expiresAt: 1_900_000_000_000,
    variants,
    preview: '5a4a3ad9b59a2f4f7f',
  };
}

/** Runs the LookupCache contract against a fresh cache from `make` in every test. */
export function describeCache(name: string, make: () => Promise<CacheFixture>): void {
  describe(`${name} cache: LookupCache contract`, () => {
    let fx: CacheFixture;
    let cache: LookupCache;
    beforeEach(async () => {
      fx = await make();
      cache = fx.cache;
    });
    afterEach(() => fx.dispose());

    test('a user never cached is a miss (undefined)', async () => {
      assert.deepEqual(await cache.getMany(['ada']), [undefined]);
    });

    test('what is set is got back, and neither the setter nor a getter can change what is cached', async () => {
      const set = pictureMeta('ada');
      await cache.set('ada', set, 60_000);
      set.url = 'changed by the setter';
      const [got] = await cache.getMany(['ada']);
      assert.deepEqual(got, pictureMeta('ada'));
      // A copy takes the change and a frozen entry refuses it: either way, the cache keeps what was set.
      const change = (edit: () => void) => {
        try {
          edit();
        } catch (error) {
          assert.ok(error instanceof TypeError, String(error));
        }
      };
      change(() => (got!.url = 'changed by the caller'));
      change(() => (got!.variants[0]!.url = 'changed by the caller'));
      change(() => got!.variants.pop());
      assert.deepEqual(await cache.getMany(['ada']), [pictureMeta('ada')]);
    });

    test('null ("no picture") is cached as null, not a miss', async () => {
      await cache.set('nobody', null, 60_000);
      assert.deepEqual(await cache.getMany(['nobody']), [null]);
    });

    test('set replaces the cached value', async () => {
      await cache.set('ada', pictureMeta('ada', 'v1'), 60_000);
      await cache.set('ada', pictureMeta('ada', 'v2'), 60_000);
      assert.deepEqual(await cache.getMany(['ada']), [pictureMeta('ada', 'v2')]);
      await cache.set('ada', null, 60_000);
      assert.deepEqual(await cache.getMany(['ada']), [null]);
    });

    test('onlyIfAbsent fills a missing or expired entry and leaves a present one', async () => {
      await cache.set('ada', pictureMeta('ada', 'new'), 60_000);
      await cache.set('ada', pictureMeta('ada', 'stale'), 60_000, { onlyIfAbsent: true });
      await cache.set('bob', null, 60_000, { onlyIfAbsent: true });
      await cache.set('cy', null, 100);
      await fx.elapse(200);
      await cache.set('cy', pictureMeta('cy'), 60_000, { onlyIfAbsent: true });
      assert.deepEqual(await cache.getMany(['ada', 'bob', 'cy']), [pictureMeta('ada', 'new'), null, pictureMeta('cy')]);
      await cache.set('ada', null, 60_000, { onlyIfAbsent: false });
      assert.deepEqual(await cache.getMany(['ada']), [null]);
    });

    test('each entry expires after its own TTL, and is then neither got nor counted', async () => {
      await cache.set('short', pictureMeta('short'), 150);
      await cache.set('long', null, 60_000);
      assert.deepEqual(await cache.getMany(['short', 'long']), [pictureMeta('short'), null]);
      await fx.elapse(250);
      assert.deepEqual(await cache.getMany(['short', 'long']), [undefined, null]);
      assert.equal((await cache.stats()).keys, 1);
    });

    test('getMany answers in the order asked, hits and misses mixed', async () => {
      await cache.set('a', pictureMeta('a'), 60_000);
      await cache.set('c', null, 60_000);
      assert.deepEqual(await cache.getMany(['c', 'b', 'a', 'a', 'z']), [
        null,
        undefined,
        pictureMeta('a'),
        pictureMeta('a'),
        undefined,
      ]);
      assert.deepEqual(await cache.getMany([]), []);
    });

    test('delete drops one user and leaves the others', async () => {
      await cache.set('a', pictureMeta('a'), 60_000);
      await cache.set('b', pictureMeta('b'), 60_000);
      await cache.delete('a');
      await cache.delete('never-cached');
      assert.deepEqual(await cache.getMany(['a', 'b']), [undefined, pictureMeta('b')]);
    });

    test('counters add up; stats counts the cached users', async () => {
      assert.deepEqual(await cache.stats(), { hits: 0, misses: 0, keys: 0 });
      cache.count(2, 1);
      cache.count(0, 3);
      cache.count(Number.NaN, -4); // nonsense is ignored, not thrown
      await cache.set('a', pictureMeta('a'), 60_000);
      await cache.set('b', null, 60_000);
      assert.deepEqual(await cache.stats(), { hits: 2, misses: 4, keys: 2 });
      cache.count(1, 0);
      assert.deepEqual(await cache.stats(), { hits: 3, misses: 4, keys: 2 });
    });

    test('a TTL that is not a positive number is refused', async () => {
      for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(cache.set('a', null, ttl), RangeError);
      }
      assert.deepEqual(await cache.getMany(['a']), [undefined]);
    });

    test('ping resolves while the cache is reachable', async () => {
      await cache.ping();
    });
  });
}

/** Runs the EventBus contract against fresh buses from `make` in every test. */
export function describeEventBus(name: string, make: () => Promise<EventBusFixture>): void {
  describe(`${name} event bus: EventBus contract`, () => {
    let fx: EventBusFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(() => fx.dispose());

    const changed = (userId: string, version: string | null = 'v1'): PictureChangedEvent => ({ userId, version });

    test('an event reaches every subscriber, in order', async () => {
      const first: PictureChangedEvent[] = [];
      const second: PictureChangedEvent[] = [];
      fx.other.subscribe((event) => first.push(event));
      fx.other.subscribe((event) => second.push(event));
      // A new picture and its removal, ten times over: on a cluster, where each could go through another node, any
      // two of them swapped would show.
      const sent = Array.from({ length: 20 }, (_, i) => changed('ada', i % 2 ? null : `v${i}`));
      for (const event of sent) await fx.bus.publish(event);
      await until(() => first.length === 20 && second.length === 20, 'every event at both listeners');
      assert.deepEqual(first, sent);
      assert.deepEqual(second, first);
    });

    test('a listener that throws does not stop the others, and is reported', async () => {
      const got: string[] = [];
      fx.other.subscribe(() => {
        throw new Error('listener bug');
      });
      fx.other.subscribe((event) => got.push(event.userId));
      await fx.bus.publish(changed('ada'));
      await until(() => got.length === 1, 'the second listener');
      assert.equal(fx.errors.length, 1);
      assert.match(String(fx.errors[0]), /listener bug/);
    });

    test('unsubscribe stops that listener only; the same function may subscribe twice', async () => {
      const gone: string[] = [];
      const kept: string[] = [];
      const keep = (event: PictureChangedEvent): void => void kept.push(event.userId);
      const unsubscribe = fx.other.subscribe((event) => gone.push(event.userId));
      fx.other.subscribe(keep);
      const unsubscribeKeepTwice = fx.other.subscribe(keep);
      unsubscribe();
      await fx.bus.publish(changed('ada'));
      await until(() => kept.length === 2, 'the kept listener, twice');
      unsubscribeKeepTwice();
      await fx.bus.publish(changed('bob'));
      await until(() => kept.length === 3, 'the kept listener, once more');
      assert.deepEqual(gone, []);
      assert.deepEqual(kept, ['ada', 'ada', 'bob']);
    });

    test('after close, its listeners hear nothing', async () => {
      const got: string[] = [];
      fx.other.subscribe((event) => got.push(event.userId));
      await fx.other.close();
      await fx.bus.publish(changed('ada'));
      await sleep(50); // nothing to await: this proves that no event arrives
      assert.deepEqual(got, []);
    });
  });
}
