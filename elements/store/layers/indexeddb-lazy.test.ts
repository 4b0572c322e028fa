// The IndexedDB layer as the store uses it, fetched as a module of its own, in real Chromium: on a first visit (no
// database of this store yet) a lookup does not wait for the module and a database to be made.
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
  afterEach(() => deleteDB(dbName));

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

  it('asks the browser which databases exist only until it knows this one does', async () => {
    let asked = 0;
    // The real factory, counting its databases() calls.
    const factory = new Proxy(indexedDB, {
      get(target, key) {
        if (key === 'databases') asked++;
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const layer = lazyIndexedDbLayer({ dbName, indexedDB: factory });
    await layer.getMany(['ada'], Date.now());
    expect(asked).to.equal(1, 'a first visit asks once');
    layer.put('ada', { meta: meta('ada'), freshUntil: Date.now() + 60_000 });
    await layer.flush();
    for (let i = 0; i < 3; i++) await layer.getMany(['ada', 'bob'], Date.now());
    expect(asked).to.equal(1, 'after its own write, the layer knows the database exists');
    const found = await layer.getMany(['ada'], Date.now());
    expect(found.get('ada')?.meta?.version).to.equal('vada');
  });
});
