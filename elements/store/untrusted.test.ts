// What the page refuses, in Chromium: a compromised image service (hostile-service.mjs, a real server on another
// origin) naming data:, javascript: or SVG URLs, or serving SVG and HTML as pictures; and LocalStorage and IndexedDB
// entries tampered with. Each picture is shown by <cached-profile-picture> on a real store; nothing of the attacker's
// may reach an <img> or become a Blob, and what cannot be trusted is the fallback and a picture-error.
import { expect } from '@esm-bundle/chai';
import { deleteDB, openDB } from 'idb';
import { providing } from '../monitor/testing/show-pictures.ts';
import { hostileApi, HOSTILE_VERSION } from '../testing/hostile.ts';
import { seed, users } from '../testing/service.ts';
import { fallbackText, pictureSrc, show } from '../testing/watch-images.ts';
import { createIndexedDbLayer, type IndexedDbLayer } from './layers/indexeddb.ts';
import { PictureStore } from './picture-store.ts';

/**
 * What the page may put in an `<img>`'s `src` or `srcset`: http(s) URLs, `blob:` URLs of its own, and previews written
 * inline as raster images. Every URL of a `srcset` is checked (its widths hold no colon).
 */
const trusted = (value: string) =>
  value
    .split(/[\s,]+/)
    .filter((part) => part.includes(':'))
    .every((part) => /^(https?:\/\/|blob:|data:image\/(webp|png|jpeg|gif|avif);base64$)/.test(part));

describe('the page, against a compromised image service and tampered storage', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A real store for `apiBase` with a database of its own, provided to the elements put in the returned parent. */
  function storeFor(apiBase: string): {
    store: PictureStore;
    idb: IndexedDbLayer;
    dbName: string;
    parent: HTMLElement;
  } {
    const dbName = `untrusted-${crypto.randomUUID()}`;
    const idb = createIndexedDbLayer({ dbName });
    const store = new PictureStore({ apiBase, indexedDB: idb, broadcast: false });
    const parent = providing(store);
    cleanup.push(
      () => deleteDB(dbName),
      () => idb.clear(),
      () => store.clear(),
      () => store.close(),
      () => parent.remove(),
    );
    return { store, idb, dbName, parent };
  }

  for (const scenario of [
    'svg-url',
    'script-url',
    'svg-copy',
    'html-copy',
    'svg-preview',
    'css-preview',
    'another-user',
  ]) {
    it(`metadata naming what is not a picture (${scenario}): the fallback and picture-error; nothing kept`, async () => {
      const { store, idb, parent } = storeFor(await hostileApi(scenario));
      const shown = show(parent, 'mallory', 'Mal Lory');
      expect(await shown.outcome).to.equal('picture-error');
      await shown.element.updateComplete;
      expect(fallbackText(shown.element)).to.equal('ML');
      expect(pictureSrc(shown.element)).to.equal(undefined);
      expect(
        shown.urls.filter((url) => !trusted(url)),
        'no hostile URL in any <img>',
      ).to.deep.equal([]);
      expect(store.peek('mallory'), 'not in memory or LocalStorage').to.equal(undefined);
      await idb.flush();
      expect(await idb.count()).to.deep.equal({ entries: 0, blobs: 0 });
    });
  }

  it('a batch answer that is not even an object: every user of it is the fallback and a picture-error', async () => {
    const { parent } = storeFor(await hostileApi('not-an-object'));
    const shown = ['ann', 'bob'].map((userId) => show(parent, userId));
    expect(await Promise.all(shown.map((one) => one.outcome))).to.deep.equal(['picture-error', 'picture-error']);
  });

  for (const [scenario, type] of [
    ['svg-bytes', 'image/svg+xml'],
    ['html-bytes', 'text/html'],
    ['untyped-bytes', 'no type'],
  ]) {
    it(`a picture served as ${type}: never kept as a Blob, so never a blob: URL of the page's origin`, async () => {
      const { store, idb, parent } = storeFor(await hostileApi(scenario));
      const shown = show(parent, 'mallory');
      const outcome = await shown.outcome;
      // An image element renders SVG as an inert picture (no script runs there); HTML does not decode at all.
      expect(outcome).to.equal(scenario === 'html-bytes' ? 'picture-error' : 'picture-load');
      if (outcome === 'picture-error') expect(fallbackText(shown.element)).to.equal('AO');
      const meta = store.peek('mallory')!.meta!;
      store.loaded(store.peek('mallory')!, 1, meta.variants[0]!.url);
      await store.keepBytesNow();
      await idb.flush();
      expect(await idb.getBlob(HOSTILE_VERSION)).to.equal(undefined);
      expect((await idb.count()).blobs).to.equal(0);
      expect(shown.urls.filter((url) => !trusted(url) || url.startsWith('blob:'))).to.deep.equal([]);
    });
  }

  it('an honest picture from the same server is shown and its bytes kept: the refusals above are not the path failing', async () => {
    const { store, idb, parent } = storeFor(await hostileApi('good'));
    const shown = show(parent, 'alice');
    expect(await shown.outcome).to.equal('picture-load');
    expect(pictureSrc(shown.element)).to.match(/^http:\/\/127\.0\.0\.1:\d+\/images\/alice\//);
    await store.keepBytesNow();
    await idb.flush();
    expect((await idb.getBlob(HOSTILE_VERSION))?.type).to.equal('image/png');
  });

  it('a LocalStorage entry tampered with is dropped unshown, and the service asked instead', async () => {
    const [id] = users('tampered-ls', 1);
    const [meta] = await seed([id!]);
    const url = new URL(meta!.url, location.href).href;
    const { parent } = storeFor('/api');
    const svg = 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="top.hostileRan=1"/>';
    const key = `cpp:v1:/api:${id}`;
    localStorage.setItem(
      key,
      JSON.stringify({
        meta: { ...meta, url: svg, variants: [{ width: 64, url: svg, bytes: 1 }] },
        freshUntil: Date.now() + 60_000,
      }),
    );
    const shown = show(parent, id!);
    expect(await shown.outcome).to.equal('picture-load');
    expect(pictureSrc(shown.element)).to.equal(url);
    expect(shown.urls.filter((seen) => !trusted(seen))).to.deep.equal([]);
    expect(JSON.parse(localStorage.getItem(key)!).meta.url).to.equal(url, "replaced by the service's answer");
  });

  it('an IndexedDB entry tampered with is dropped unshown, and the service asked instead', async () => {
    const [id] = users('tampered-idb', 1);
    const [meta] = await seed([id!]);
    const { idb, dbName, parent } = storeFor('/api');
    await tamper(dbName, (db) =>
      db.put('meta', {
        userId: id,
        entry: { meta: { ...meta, url: 'javascript:top.hostileRan=1' }, freshUntil: Date.now() + 60_000 },
        storedAt: Date.now(),
        usedAt: Date.now(),
      }),
    );
    const shown = show(parent, id!);
    expect(await shown.outcome).to.equal('picture-load');
    expect(pictureSrc(shown.element)).to.equal(new URL(meta!.url, location.href).href);
    expect(shown.urls.filter((url) => !trusted(url))).to.deep.equal([]);
    await idb.flush();
    expect((await idb.getMany([id!], Date.now())).get(id!)?.meta?.url).to.equal(new URL(meta!.url, location.href).href);
  });

  for (const [type, expected] of [
    ['image/svg+xml', 'refused'],
    ['text/html', 'refused'],
    ['', 'refused'],
    ['image/png', 'shown'],
  ] as const) {
    it(`a Blob kept in IndexedDB as ${JSON.stringify(type)}, when the picture's URL fails: ${expected}`, async () => {
      // The copies are served as HTML: the image fails, and the element turns to the Blob kept for its version.
      const { idb, dbName, parent } = storeFor(await hostileApi('html-bytes'));
      const bytes =
        type === 'image/png'
          ? await (
              await fetch(
                'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
              )
            ).arrayBuffer()
          : '<svg xmlns="http://www.w3.org/2000/svg" onload="top.hostileRan=1"/>';
      const blob = new Blob([bytes], { type });
      await tamper(dbName, (db) =>
        db.put('blobs', { version: HOSTILE_VERSION, blob, bytes: blob.size, usedAt: Date.now() }),
      );
      const shown = show(parent, 'mallory', 'Mal Lory');
      const outcome = await shown.outcome;
      const blobs = shown.urls.filter((url) => url.startsWith('blob:'));
      if (expected === 'shown') {
        expect(outcome).to.equal('picture-load');
        expect(new Set(blobs).size).to.equal(1, 'the kept Blob, through a blob: URL');
        return;
      }
      expect(outcome).to.equal('picture-error');
      await shown.element.updateComplete;
      expect(fallbackText(shown.element)).to.equal('ML');
      expect(blobs, 'no blob: URL made of it').to.deep.equal([]);
      await idb.flush();
      expect((await idb.count()).blobs, 'dropped from the database').to.equal(0);
    });
  }
});

/** Writes into the layer's database directly, as another script of the origin could (creating it as the layer does). */
async function tamper(
  dbName: string,
  write: (db: Awaited<ReturnType<typeof openDB>>) => Promise<unknown>,
): Promise<void> {
  const db = await openDB(dbName, 1, {
    upgrade(created) {
      created.createObjectStore('meta', { keyPath: 'userId' }).createIndex('usedAt', 'usedAt');
      created.createObjectStore('blobs', { keyPath: 'version' }).createIndex('usedAt', 'usedAt');
    },
  });
  await write(db);
  db.close();
}
