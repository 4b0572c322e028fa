// The IndexedDB layer as the store uses it, fetched as a module of its own, in real Chromium: on a first visit (no
// database of this store yet, as LocalStorage tells at once) a lookup does not wait for the module and a database
// to be made.
import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import type { PictureMeta } from '../../../contract/picture.ts';
import { until } from '../../../scripts/testing/wait.ts';
import { lazyIndexedDbLayer } from './indexeddb-lazy.ts';

const meta = (userId: string): PictureMeta => ({
  userId,
  version: `v${userId}`,
  url: `http://127.0.0.1/images/${userId}/v/96.webp`,
  contentType: 'image/webp',
  bytes: 1,
  expiresAt: Date.now() + 3_600_000,
  variants: [],
});

describe('IndexedDB layer, loaded lazily', () => {
  let dbName: string;
  beforeEach(() => (dbName = `idb-lazy-test-${crypto.randomUUID()}`));
  afterEach(async () => {
    localStorage.removeItem(`cpp:idb:${dbName}`);
    await deleteDB(dbName);
  });

  it('answers "nothing known" without making a database when none exists yet', async () => {
    const layer = lazyIndexedDbLayer({ dbName });
    expect((await layer.getMany(['ada'], Date.now())).size).to.equal(0);
    expect((await indexedDB.databases()).map((db) => db.name)).not.to.include(dbName);
  });

  it('once a database exists, answers what it holds', async () => {
    const first = lazyIndexedDbLayer({ dbName });
    first.put('ada', { meta: meta('ada'), freshUntil: Date.now() + 60_000 });
    await first.flush();
    await until(async () => (await first.count()).entries, 'the entry to be written', 5_000);
    const later = lazyIndexedDbLayer({ dbName });
    const found = await later.getMany(['ada', 'bob'], Date.now());
    expect([...found.keys()]).to.deep.equal(['ada']);
    expect(found.get('ada')!.meta!.version).to.equal('vada');
  });

  it('keeps in LocalStorage that its database exists, and asks the database when that storage cannot be read', async () => {
    const first = lazyIndexedDbLayer({ dbName });
    first.put('ada', { meta: meta('ada'), freshUntil: Date.now() + 60_000 });
    await first.flush();
    await until(async () => (await first.count()).entries, 'the entry to be written', 5_000);
    expect(localStorage.getItem(`cpp:idb:${dbName}`)).to.not.equal(null, 'the write is marked');
    const found = async () => (await lazyIndexedDbLayer({ dbName }).getMany(['ada'], Date.now())).get('ada');
    expect((await found())?.meta?.version).to.equal('vada');

    // LocalStorage cleared, the database kept: the next page does not know of it, and asks the network, once.
    localStorage.removeItem(`cpp:idb:${dbName}`);
    expect(await found()).to.equal(undefined);

    // LocalStorage that throws when read (a privacy setting): the database is asked.
    const own = Object.getOwnPropertyDescriptor(window, 'localStorage')!;
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    try {
      expect((await found())?.meta?.version).to.equal('vada');
    } finally {
      Object.defineProperty(window, 'localStorage', own);
    }
  });
});
