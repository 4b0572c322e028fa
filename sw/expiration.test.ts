import { expect } from '@esm-bundle/chai';
import { freshUntil, overBounds, toFree, type PictureEntry } from './expiration.ts';

const DAY = 24 * 60 * 60;
const entry = (key: string, lastUsed: number, bytes = 100, expiresAt = Infinity): PictureEntry => ({
  key,
  userId: key,
  version: '0'.repeat(32),
  bytes,
  storedAt: 0,
  expiresAt,
  lastUsed,
});

describe('freshUntil', () => {
  it("is the worker's own limit, or the response's max-age when that is shorter", () => {
    expect(freshUntil(1_000, 'public, max-age=31536000, immutable', 7 * DAY)).to.equal(1_000 + 7 * DAY * 1000);
    expect(freshUntil(1_000, 'max-age=60', 7 * DAY)).to.equal(61_000);
    expect(freshUntil(1_000, 'public, s-maxage=10, max-age="120"', 7 * DAY)).to.equal(121_000);
    expect(freshUntil(1_000, 'immutable', 7 * DAY)).to.equal(
      1_000 + 7 * DAY * 1000,
      "immutable alone: the worker's limit",
    );
  });

  it('keeps no-cache answers with a max-age for offline only', () => {
    expect(freshUntil(1_000, 'no-cache, max-age=60', 7 * DAY)).to.equal(1_000);
  });

  it('keeps nothing the service did not mark cacheable: no header, no max-age, max-age=0, no-store, private', () => {
    for (const header of [
      null,
      '',
      'public',
      'no-cache',
      'max-age=0',
      's-maxage=600',
      'no-store',
      'max-age=60, no-store',
      'private, max-age=60',
      'immutable, private',
      'max-age=abc',
    ]) {
      expect(freshUntil(1_000, header, 7 * DAY), String(header)).to.equal(undefined);
    }
  });
});

describe('overBounds', () => {
  it('drops the least recently used first, down to the count', () => {
    const entries = [entry('c', 3), entry('a', 1), entry('b', 2)];
    expect(overBounds(entries, { maxEntries: 2, maxBytes: Infinity }, 0).map((e) => e.key)).to.deep.equal(['a']);
    expect(overBounds(entries, { maxEntries: 3, maxBytes: Infinity }, 0)).to.deep.equal([]);
  });

  it('drops as many as the byte budget needs', () => {
    const entries = [entry('a', 1, 500), entry('b', 2, 300), entry('c', 3, 300)];
    expect(overBounds(entries, { maxEntries: 10, maxBytes: 700 }, 0).map((e) => e.key)).to.deep.equal(['a']);
    expect(overBounds(entries, { maxEntries: 10, maxBytes: 299 }, 0).map((e) => e.key)).to.deep.equal(['a', 'b', 'c']);
  });

  it('drops expired entries before fresh ones, however recently used', () => {
    const entries = [entry('old-fresh', 1), entry('new-expired', 9, 100, 5)];
    expect(overBounds(entries, { maxEntries: 1, maxBytes: Infinity }, 10).map((e) => e.key)).to.deep.equal([
      'new-expired',
    ]);
  });
});

describe('toFree', () => {
  it('takes the oldest entries until enough bytes are free, not the whole cache', () => {
    const entries = [entry('c', 3, 100), entry('a', 1, 100), entry('b', 2, 100), entry('d', 4, 100)];
    expect(toFree(entries, 150, 0).map((e) => e.key)).to.deep.equal(['a', 'b']);
    expect(toFree(entries, 0, 0)).to.deep.equal([]);
  });
});
