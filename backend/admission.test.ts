import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdmission, type Release } from './concurrency.ts';

const taken = (entered: ReturnType<ReturnType<typeof createAdmission>['enter']>): Release => {
  assert.equal(typeof entered, 'function', `refused: ${String(entered)}`);
  return entered as Release;
};

test('an admission bounds places per client and cost in all, refusing at once, and says which bound refused', () => {
  const held: number[] = [];
  const admission = createAdmission({ perClient: 2, total: 10, onChange: (n) => held.push(n) });
  const a1 = taken(admission.enter('a', 3));
  taken(admission.enter('a', 3));
  assert.equal(admission.enter('a', 1), 'client');
  taken(admission.enter('b', 4));
  assert.equal(admission.enter('c', 1), 'total', '10 of 10 taken');
  a1();
  a1();
  assert.equal(held.at(-1), 7, 'released once, however often it is called');
  taken(admission.enter('a', 3));
  assert.deepEqual(held, [3, 6, 10, 7, 10]);
});

test('a cost above the total is admitted alone; a request from inside the process is bound by the total only', () => {
  const admission = createAdmission({ perClient: 1, total: 5 });
  const big = taken(admission.enter('a', 50));
  assert.equal(admission.enter('b', 1), 'total');
  big();
  const inside = [
    taken(admission.enter(undefined)),
    taken(admission.enter(undefined)),
    taken(admission.enter(undefined)),
  ];
  assert.equal(inside.length, 3);
  assert.throws(() => createAdmission({ perClient: 0, total: 5 }), RangeError);
});
