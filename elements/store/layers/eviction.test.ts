import { expect } from '@esm-bundle/chai';
import { toFit, toFree } from './eviction.ts';

const items = (...bytes: number[]) => bytes.map((size, i) => ({ key: `k${i}`, bytes: size }));
const keys = (list: { key: string }[]) => list.map((item) => item.key);

describe('eviction', () => {
  it('toFit drops from the front, in the order given, until both the count and the bytes hold', () => {
    expect(keys(toFit(items(1, 1, 1), { maxEntries: 3, maxBytes: 3 }))).to.deep.equal([]);
    expect(keys(toFit(items(1, 1, 1), { maxEntries: 1, maxBytes: Infinity }))).to.deep.equal(['k0', 'k1']);
    expect(keys(toFit(items(5, 1, 1), { maxEntries: 10, maxBytes: 2 }))).to.deep.equal(['k0']);
    expect(keys(toFit(items(1, 1, 5), { maxEntries: 10, maxBytes: 4 }))).to.deep.equal(['k0', 'k1', 'k2']);
  });

  it('toFree takes from the front, in the order given, until enough bytes are free', () => {
    expect(keys(toFree(items(1, 2, 3), 0))).to.deep.equal([]);
    expect(keys(toFree(items(1, 2, 3), 2))).to.deep.equal(['k0', 'k1']);
    expect(keys(toFree(items(1, 2, 3), 100))).to.deep.equal(['k0', 'k1', 'k2']);
  });
});
