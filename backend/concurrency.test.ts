import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLimiter } from './concurrency.ts';

test('createLimiter: calls past the bound wait in arrival order, and a failed call gives its place back', async () => {
  const limit = createLimiter(2);
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const call = (name: string, fail = false) =>
    limit(async () => {
      started.push(name);
      await new Promise<void>((resolve) => releases.set(name, resolve));
      if (fail) throw new Error(name);
      return name;
    });
  const a = call('a', true);
  const b = call('b');
  const c = call('c');
  const d = call('d');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b']);
  releases.get('a')!();
  await assert.rejects(a, /a/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a', 'b', 'c'], "the failed call's place went to the first waiter");
  releases.get('b')!();
  releases.get('c')!();
  assert.deepEqual(await Promise.all([b, c]), ['b', 'c']);
  await new Promise((resolve) => setImmediate(resolve));
  releases.get('d')!();
  assert.equal(await d, 'd');
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
});

test('createLimiter refuses a bound that is not a positive whole number', () => {
  for (const max of [0, -1, 1.5, Number.NaN]) assert.throws(() => createLimiter(max), RangeError);
});
