// The LRU behind the memory cache, against the plainest model of one: an array of keys, least recently used first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createLru } from './lru.ts';

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const operation = fc.oneof(
  fc.record({ op: fc.constant('use' as const), key }),
  fc.record({ op: fc.constant('peek' as const), key }),
  fc.record({ op: fc.constant('set' as const), key, value: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('dropOldest' as const) }),
);

test('any sequence of uses, peeks, sets and drops keeps the values and the order of use of the model', () => {
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
      const lru = createLru<number>();
      const order: string[] = [];
      const values = new Map<string, number>();
      const forget = (k: string) => {
        if (order.includes(k)) order.splice(order.indexOf(k), 1);
      };
      const touch = (k: string) => {
        forget(k);
        order.push(k);
      };
      for (const step of operations) {
        if (step.op === 'use') {
          assert.equal(lru.use(step.key), values.get(step.key));
          if (values.has(step.key)) touch(step.key);
        } else if (step.op === 'peek') {
          assert.equal(lru.peek(step.key), values.get(step.key));
        } else if (step.op === 'set') {
          lru.set(step.key, step.value);
          values.set(step.key, step.value);
          touch(step.key);
        } else if (step.op === 'delete') {
          lru.delete(step.key);
          values.delete(step.key);
          forget(step.key);
        } else {
          lru.dropOldest();
          const oldest = order.shift();
          if (oldest !== undefined) values.delete(oldest);
        }
        assert.equal(lru.size, values.size);
        assert.deepEqual(new Map(lru.entries()), values);
      }
      // What is left goes oldest first, as the model says.
      for (const expected of order) {
        assert.ok(lru.peek(expected) !== undefined);
        lru.dropOldest();
        assert.equal(lru.peek(expected), undefined);
      }
      assert.equal(lru.size, 0);
    }),
  );
});

test('an entry may be deleted while the entries are walked', () => {
  const lru = createLru<number>();
  for (const [i, k] of ['a', 'b', 'c'].entries()) lru.set(k, i);
  for (const [k] of lru.entries()) if (k !== 'b') lru.delete(k);
  assert.deepEqual([...lru.entries()], [['b', 1]]);
});
