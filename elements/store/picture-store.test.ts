// The store against the real image service, counting what reached it. A "reload" is a new store over the same
// LocalStorage and IndexedDB: what a page keeps across reloads.
import { expect } from '@esm-bundle/chai';
import { holdDatabase } from '../testing/held-database.ts';
import { requests, resetRequests, seed, users } from '../testing/service.ts';
import { warnings } from '../testing/warnings.ts';
import { createIndexedDbLayer, type IndexedDbLayer } from './layers/indexeddb.ts';
import { PictureStore } from './picture-store.ts';
import type { Resolution, ResolutionReport } from './types.ts';

/** The store keeps URLs absolute, against the service that named them. */
const absolute = (url: string) => new URL(url, location.href).href;

describe('PictureStore', () => {
  const stores: PictureStore[] = [];
  let dbName: string;
  let idb: IndexedDbLayer;
  const make = (options: ConstructorParameters<typeof PictureStore>[0] = {}) => {
    const store = new PictureStore({ indexedDB: idb, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    localStorage.clear();
    dbName = `test-${Math.random().toString(36).slice(2)}`;
    idb = createIndexedDbLayer({ dbName });
    await resetRequests();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await idb.clear();
    indexedDB.deleteDatabase(dbName);
  });

  it('the checklist: first load one batch, same session 0, reload 0, localStorage cleared 0, invalidated 1', async () => {
    const ids = users('list', 50);
    const metas = await seed(ids);
    await resetRequests();

    const first = make();
    const resolved = await Promise.all(ids.map((id) => first.get(id)));
    expect(await requests()).to.have.length(1, 'fifty users in one tick cost one metadata request');
    expect((await requests())[0]).to.match(/^GET \/api\/pictures\?users=/);
    expect(resolved.map((r) => r.meta?.version)).to.deep.equal(metas.map((m) => m.version));
    expect(resolved.every((r) => r.layer === 'network' && r.urlUsable)).to.equal(true);

    await resetRequests();
    const again = ids.map((id) => first.peek(id));
    expect(again.every((r) => r?.layer === 'memory')).to.equal(
      true,
      'same session: answered synchronously from memory',
    );
    expect(await requests()).to.deep.equal([]);

    const reloaded = make();
    const afterReload = ids.map((id) => reloaded.peek(id));
    expect(afterReload.every((r) => r?.layer === 'localStorage' && r.meta?.url)).to.equal(true);
    expect(await requests()).to.deep.equal([]);

    await idb.flush();
    localStorage.clear();
    const fromIdb = make();
    expect(fromIdb.peek(ids[0]!)).to.equal(undefined);
    const fromDisk = await Promise.all(ids.map((id) => fromIdb.get(id)));
    expect(fromDisk.every((r) => r.layer === 'indexedDB')).to.equal(true);
    expect(fromDisk.map((r) => r.meta?.url)).to.deep.equal(metas.map((m) => absolute(m.url)));
    expect(await requests()).to.deep.equal([], 'localStorage cleared: IndexedDB still knows them');

    await fromIdb.invalidate(ids[3]!);
    const invalidated = await fromIdb.get(ids[3]!);
    expect(invalidated.layer).to.equal('network');
    expect(await requests()).to.have.length(1);
  });

  it('asks for at most 100 users per request, and shares requests already in flight', async () => {
    const ids = users('many', 120);
    const store = make();
    const all = await Promise.all([...ids, ...ids].map((id) => store.get(id)));
    expect(all.every((r) => r.meta === null)).to.equal(true, 'nobody here has a picture');
    const sent = await requests();
    expect(sent).to.have.length(2);
    expect(sent.map((r) => decodeURIComponent(r).split('=')[1]!.split(',').length).sort()).to.deep.equal([100, 20]);
    expect(store.stats().requests).to.equal(2);
  });

  it('hands the answers of one request out a few per task, so fifty pictures never render in one long task', async () => {
    const ids = users('tasks', 50);
    const metas = await seed(ids);
    await resetRequests();
    const store = make();
    // A timer set by the first answer runs in a later task: it counts what the tasks before it answered.
    let answered = 0;
    let byTheNextTask = 0;
    const resolved = await Promise.all(
      ids.map((id) =>
        store.get(id).then((resolution) => {
          if (!answered++) setTimeout(() => (byTheNextTask = answered));
          return resolution;
        }),
      ),
    );
    await new Promise((next) => setTimeout(next));
    expect(await requests()).to.have.length(1, 'still one request for the fifty');
    expect(resolved.map((r) => r.meta?.version)).to.deep.equal(metas.map((m) => m.version));
    expect(byTheNextTask).to.be.at.least(10, 'the first ten together').and.below(50, 'not all fifty in one task');
  });

  it('a corrupt LocalStorage entry is dropped and asked again, not an error', async () => {
    const [id] = users('corrupt', 1);
    const [meta] = await seed([id!]);
    localStorage.setItem(`cpp:v1:/api:${id}`, '{"meta": {"userId": 42}, "freshUn');
    const store = make();
    expect(store.peek(id!)).to.equal(undefined);
    expect(localStorage.getItem(`cpp:v1:/api:${id}`)).to.not.equal('{"meta": {"userId": 42}, "freshUn');
    const resolved = await store.get(id!);
    expect(resolved.meta?.version).to.equal(meta!.version);
    localStorage.setItem(
      `cpp:v1:/api:${id}`,
      JSON.stringify({ meta: { ...meta, userId: 'someone-else' }, freshUntil: Date.now() + 60_000 }),
    );
    expect(make({ broadcast: false }).peek(id!)).to.equal(undefined, 'an entry naming another user is not trusted');
  });

  it("a full LocalStorage evicts our oldest entries and keeps working; the site's own keys are untouched", async () => {
    const store = make();
    localStorage.setItem('site-key', 'kept');
    // Fill the real quota with our own entries (never the site's), then keep writing.
    let i = 0;
    for (const size of [64 * 1024, 1024, 16]) {
      try {
        for (; ; i++)
          localStorage.setItem(
            `cpp:v1:filler-${i}`,
            JSON.stringify({ meta: null, freshUntil: Date.now() + i, pad: 'x'.repeat(size) }),
          );
      } catch {
        // full at this size: go on with smaller entries until not even a small one fits
      }
    }
    const ids = users('quota', 3);
    await Promise.all(ids.map((id) => store.get(id)));
    expect(localStorage.getItem(`cpp:v1:/api:${ids[2]}`)).to.not.equal(null, 'written after evicting');
    expect(localStorage.getItem('site-key')).to.equal('kept');
    expect(localStorage.getItem('cpp:v1:filler-0') === null).to.equal(true, 'the oldest went first');
  });

  it('works with no LocalStorage and no IndexedDB (private mode): every resolution asks the network once per tick', async () => {
    const [id] = users('private', 1);
    await seed([id!]);
    await resetRequests();
    const store = make({ localStorage: null, indexedDB: createIndexedDbLayer({ indexedDB: undefined }) });
    expect((await store.get(id!)).meta?.userId).to.equal(id);
    expect(store.peek(id!)?.layer).to.equal('memory');
    expect(make({ localStorage: null, indexedDB: null }).peek(id!)).to.equal(undefined);
    expect(await requests()).to.have.length(1);
  });

  it('an IndexedDB that another tab holds costs a lookup a second, not the picture: the service answers it', async () => {
    const [id] = users('held', 1);
    const [meta] = await seed([id!]);
    const held = await holdDatabase(dbName);
    try {
      await resetRequests();
      let resolution: Resolution | undefined;
      const said = await warnings(async () => (resolution = await make().get(id!)));
      expect([resolution?.layer, resolution?.meta?.version]).to.deep.equal(['network', meta!.version]);
      expect(await requests()).to.have.length(1);
      expect(said).to.have.length(1);
      expect(said[0]).to.match(/^\[ImageCache\] IndexedDB has not opened within 1000 ms/);
    } finally {
      await held.release();
    }
  });

  it('invalidation reaches every store of the origin (BroadcastChannel) and updates whoever watches', async () => {
    const [id] = users('tabs', 1);
    await seed([id!]);
    const tabA = make();
    const tabB = make();
    await tabA.get(id!);
    await tabB.get(id!);
    const updates: string[] = [];
    tabB.watch(id!, (r) => updates.push(`${r.layer}:${r.meta?.userId}`));
    await resetRequests();
    await tabA.invalidate(id!);
    for (let i = 0; i < 50 && !updates.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(updates).to.deep.equal([`network:${id}`]);
    expect(tabB.peek(id!)?.layer).to.equal('memory');
  });

  it('reports every resolution to the monitor, with the layer that answered', async () => {
    const [id] = users('monitor', 1);
    await seed([id!]);
    const reports: ResolutionReport[] = [];
    const store = make({ monitor: { record: (r) => reports.push(r) } });
    await store.get(id!);
    store.peek(id!);
    expect(reports.map((r) => r.layer)).to.deep.equal(['network', 'memory']);
    expect(reports.every((r) => r.ms >= 0)).to.equal(true);
  });

  it('keeps the bytes of shown pictures only when asked or quiet, never while the page is showing them', async () => {
    const ids = users('keep', 3);
    const metas = await seed(ids);
    const fetched: string[] = [];
    const store = make({
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });
    const resolutions = await Promise.all(ids.map((id) => store.get(id)));
    fetched.length = 0;
    for (const resolution of resolutions) store.loaded(resolution, 1);
    // Longer than idle-time work takes: a fetch now would replace the decoded images the page shows.
    await new Promise((r) => setTimeout(r, 500));
    expect(fetched, 'nothing fetched while showing').to.deep.equal([]);
    await store.keepBytesNow();
    await idb.flush();
    for (const meta of metas) expect(await idb.getBlob(meta.version), meta.userId).to.be.instanceOf(Blob);
    for (const resolution of resolutions) store.loaded(resolution, 1);
    await store.keepBytesNow();
    expect(fetched.sort(), 'each version fetched once').to.deep.equal(metas.map((m) => absolute(m.url)).sort());
    store.close();
  });

  it('keeps, and counts as saved, the bytes of the copy the page showed, not those of the default copy', async () => {
    const [id] = users('copy', 1);
    await seed([id!], 0, 300);
    const fetched: string[] = [];
    const reports: ResolutionReport[] = [];
    const store = make({
      monitor: { record: (r) => reports.push(r) },
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });
    const resolution = await store.get(id!);
    const copy = resolution.meta!.variants[0]!;
    expect(copy.url).not.to.equal(resolution.meta!.url);
    for (let sight = 0; sight < 2; sight++) {
      await Object.assign(new Image(), { src: copy.url }).decode();
      store.loaded(resolution, 1, copy.url);
    }
    expect(reports.filter((r) => r.source).map((r) => [r.source, r.bytesSaved])).to.deep.equal([
      ['network', 0],
      ['memoryCache', copy.bytes],
    ]);
    fetched.length = 0;
    await store.keepBytesNow();
    expect(fetched).to.deep.equal([copy.url]);
    await idb.flush();
    expect((await idb.getBlob(resolution.meta!.version))?.size).to.equal(copy.bytes);
  });

  it('object URLs of stored Blobs are shared while shown and revoked when nobody shows them', async () => {
    const [id] = users('blob', 1);
    const [meta] = await seed([id!]);
    const store = make();
    const resolution = await store.get(id!);
    store.loaded(resolution, 1);
    await store.keepBytesNow();
    await idb.flush();
    expect(await idb.getBlob(meta!.version), "the shown picture's bytes are kept").to.be.instanceOf(Blob);
    const a = await store.acquireBlobUrl(meta!);
    const b = await store.acquireBlobUrl(meta!);
    expect(a).to.match(/^blob:/);
    expect(b).to.equal(a);
    expect(store.stats().objectUrls).to.equal(1);
    store.releaseBlobUrl(meta!);
    expect(store.stats().objectUrls).to.equal(1);
    store.releaseBlobUrl(meta!);
    expect(store.stats().objectUrls).to.equal(0);
    const revoked = await fetch(a!).then(
      () => 'alive',
      () => 'revoked',
    );
    expect(revoked).to.equal('revoked');
  });
});

describe("PictureStore with the service's events", () => {
  it('an upload elsewhere reaches the elements watching that user within a second', async () => {
    const [id] = users('events', 1);
    const [first] = await seed([id!]);
    const store = new PictureStore({ events: true, indexedDB: null, localStorage: null, broadcast: false });
    try {
      expect((await store.get(id!)).meta?.version).to.equal(first!.version);
      const seen: string[] = [];
      store.watch(id!, (r) => seen.push(r.meta!.version));
      await new Promise((r) => setTimeout(r, 200)); // the event stream is open
      const [second] = await seed([id!], 1);
      expect(second!.version).to.not.equal(first!.version);
      const started = performance.now();
      while (!seen.length && performance.now() - started < 1_000) await new Promise((r) => setTimeout(r, 20));
      expect(seen).to.deep.equal([second!.version]);
      expect(store.peek(id!)?.meta?.version).to.equal(second!.version);
    } finally {
      store.close();
    }
  });
});

describe('PictureStore when things go wrong', () => {
  const stores: PictureStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });
  const make = (options: ConstructorParameters<typeof PictureStore>[0]) => {
    const store = new PictureStore({ localStorage: null, broadcast: false, ...options });
    stores.push(store);
    return store;
  };

  it('one invalid id fails alone; the rest of its tick is answered', async () => {
    const [id] = users('valid', 1);
    await seed([id!]);
    const store = make({ indexedDB: null });
    const [good, bad] = await Promise.allSettled([store.get(id!), store.get('jane.doe')]);
    expect(good.status === 'fulfilled' && good.value.meta?.userId).to.equal(id);
    expect(bad.status).to.equal('rejected');
  });

  it('offline, what IndexedDB knows is still answered; only unknown users fail', async () => {
    const [known, unknown] = users('offline', 2);
    await seed([known!]);
    const dbName = `test-${Math.random().toString(36).slice(2)}`;
    const idb = createIndexedDbLayer({ dbName });
    try {
      await make({ indexedDB: idb }).get(known!);
      await idb.flush();
      // The browser's own failure when offline: fetch rejects with a TypeError. (Going offline is not in the
      // test page's power; the page under test sees exactly this.)
      const offline = make({ indexedDB: idb, fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
      const [a, b] = await Promise.allSettled([offline.get(known!), offline.get(unknown!)]);
      expect(a.status === 'fulfilled' && a.value.layer).to.equal('indexedDB');
      expect(b.status).to.equal('rejected');
    } finally {
      await idb.clear();
      indexedDB.deleteDatabase(dbName);
    }
  });

  it('an answer asked for before an invalidation does not bring the old picture back', async () => {
    const [id] = users('race', 1);
    const [v1] = await seed([id!]);
    let hold: Promise<void> | undefined;
    // The real fetch, with its first answer held back until the new picture is uploaded and invalidated.
    const slowFirst: typeof fetch = async (...args) => {
      const answer = await fetch(...args);
      await hold;
      hold = undefined;
      return answer;
    };
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const store = make({ indexedDB: null, fetch: slowFirst });
    const seen: string[] = [];
    store.watch(id!, (r) => seen.push(r.meta!.version));
    const pending = store.get(id!);
    await new Promise((r) => setTimeout(r, 50)); // the first request has its (old) answer
    const [v2] = await seed([id!], 1);
    const invalidated = store.invalidate(id!);
    release();
    await invalidated;
    expect((await pending).meta?.version).to.equal(v2!.version, 'the late answer was asked again');
    expect(store.peek(id!)?.meta?.version).to.equal(v2!.version);
    expect(seen.at(-1)).to.equal(v2!.version);
    expect(v1!.version).to.not.equal(v2!.version);
  });
});

describe('PictureStore per image service', () => {
  it("two services' stores keep the same user id apart, and clear() empties only its own", async () => {
    const [id] = users('apart', 1);
    const a = new PictureStore({ apiBase: '/api', indexedDB: null, broadcast: false });
    const b = new PictureStore({ apiBase: '/other-api', indexedDB: null, broadcast: false });
    try {
      await a.get(id!);
      expect(a.peek(id!)).to.not.equal(undefined);
      const bAfterReload = new PictureStore({ apiBase: '/other-api', indexedDB: null, broadcast: false });
      expect(bAfterReload.peek(id!)).to.equal(undefined, 'nothing of /api leaks into /other-api');
      bAfterReload.close();
      await b.clear();
      const aAfterReload = new PictureStore({ apiBase: '/api', indexedDB: null, broadcast: false });
      expect(aAfterReload.peek(id!)?.layer).to.equal('localStorage');
      aAfterReload.close();
    } finally {
      a.close();
      b.close();
    }
  });
});
