// The IndexedDB layer in real Chromium. Each test has its own database, deleted afterwards; the clock is injected
// where time matters, and idle callbacks are held where a test must decide when the idle flush runs.
import { expect } from '@esm-bundle/chai';
import { deleteDB, openDB } from 'idb';
import { holdDatabase } from '../../testing/held-database.ts';
import type { CachedEntry } from '../entry.ts';
import { createIndexedDbLayer, type IndexedDbLayer, type IndexedDbLayerOptions } from './indexeddb.ts';

describe('IndexedDB layer', () => {
  let t: number;
  const clock = () => t;
  let names: string[];
  let layers: IndexedDbLayer[];
  let restores: (() => void)[];

  beforeEach(() => {
    t = 1_000_000;
    names = [];
    layers = [];
    restores = [];
  });

  afterEach(async () => {
    for (const restore of restores.reverse()) restore();
    for (const layer of layers) await layer.flush();
    for (const name of names) await deleteDB(name);
  });

  function uniqueName(): string {
    const name = `idb-layer-test-${crypto.randomUUID()}`;
    names.push(name);
    return name;
  }

  function make(options: IndexedDbLayerOptions = {}): IndexedDbLayer {
    const layer = createIndexedDbLayer({ dbName: uniqueName(), now: clock, ...options });
    layers.push(layer);
    return layer;
  }

  function entry(userId: string, version = `v-${userId}`): CachedEntry {
    const copy = (width: number) => ({
      width,
      url: `http://127.0.0.1/images/${userId}/${version}/${width}.webp`,
      bytes: width * 10,
    });
    const meta = {
      userId,
      version,
      url: copy(256).url,
      contentType: 'image/webp',
      bytes: 2_560,
      expiresAt: t + 3_600_000,
      variants: [copy(64), copy(256)],
    };
    return { meta, freshUntil: t + 60_000 };
  }

  function blob(bytes: number, type = 'image/png'): Blob {
    return new Blob([new Uint8Array(bytes)], { type });
  }

  /** Records every transaction opened on any connection, with its stores (sorted) and mode. */
  function spyTransactions(): { stores: string[]; mode: string }[] {
    const calls: { stores: string[]; mode: string }[] = [];
    const original = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (
      this: IDBDatabase,
      stores: string | string[],
      mode?: IDBTransactionMode,
      opts?: IDBTransactionOptions,
    ) {
      calls.push({ stores: [stores].flat().sort(), mode: mode ?? 'readonly' });
      return original.call(this, stores, mode, opts);
    };
    restores.push(() => (IDBDatabase.prototype.transaction = original));
    return calls;
  }

  /** Holds idle callbacks until the test runs them, so the idle flush happens exactly when the test says. */
  function holdIdle(): { readonly size: number; run(): void } {
    const pending = new Map<number, IdleRequestCallback>();
    let next = 1;
    const { requestIdleCallback: request, cancelIdleCallback: cancel } = window;
    window.requestIdleCallback = (callback) => {
      pending.set(next, callback);
      return next++;
    };
    window.cancelIdleCallback = (handle) => void pending.delete(handle);
    restores.push(() => Object.assign(window, { requestIdleCallback: request, cancelIdleCallback: cancel }));
    return {
      get size() {
        return pending.size;
      },
      run() {
        for (const [handle, callback] of pending) {
          pending.delete(handle);
          callback({ didTimeout: false, timeRemaining: () => 50 });
        }
      },
    };
  }

  function captureConsole(method: 'warn' | 'log'): unknown[][] {
    const calls: unknown[][] = [];
    const original = console[method];
    console[method] = (...args: unknown[]) => void calls.push(args);
    restores.push(() => (console[method] = original));
    return calls;
  }

  it('round trip: entries (with and without a picture) and Blobs survive into a new layer, as after a reload', async () => {
    const dbName = uniqueName();
    const first = make({ dbName });
    first.put('ada', entry('ada'));
    first.put('nobody', { meta: null, freshUntil: t + 60_000 });
    first.putBlob('v-ada', blob(300));
    await first.flush();

    const reloaded = make({ dbName });
    const found = await reloaded.getMany(['ada', 'nobody', 'alan'], t);
    expect([...found.keys()].sort()).to.deep.equal(['ada', 'nobody']);
    expect(found.get('ada')).to.deep.equal(entry('ada'));
    expect(found.get('nobody')).to.deep.equal({ meta: null, freshUntil: t + 60_000 });
    expect((await reloaded.getBlob('v-ada'))?.size).to.equal(300);
    expect(await reloaded.count()).to.deep.equal({ entries: 2, blobs: 1 });
    expect(await reloaded.byteSize()).to.equal(300);
  });

  it('getMany of 50 users is one read transaction and answers only the fresh entries', async () => {
    const layer = make({ ttlMs: 1_000 });
    const ids = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    t = 0;
    for (const id of ids.slice(0, 25)) layer.put(id, entry(id));
    await layer.flush();
    t = 600;
    for (const id of ids.slice(25)) layer.put(id, entry(id));
    await layer.flush();

    const calls = spyTransactions();
    const found = await layer.getMany(ids, 1_200);
    expect(calls).to.deep.equal([{ stores: ['meta'], mode: 'readonly' }]);
    expect([...found.keys()]).to.have.members(ids.slice(25));
    expect(found.size).to.equal(25);
  });

  it('an entry expires after ttlMs by the injected clock, and the stale record goes in the next flush, not on the read', async () => {
    const layer = make({ ttlMs: 1_000 });
    t = 0;
    layer.put('ada', entry('ada'));
    await layer.flush();

    expect((await layer.getMany(['ada'], 999)).has('ada')).to.equal(true);
    expect((await layer.getMany(['ada'], 1_000)).has('ada')).to.equal(false);
    expect((await layer.count()).entries).to.equal(1);
    await layer.flush();
    expect((await layer.count()).entries).to.equal(0);
  });

  it('writes are queued (read-your-writes), reach the database only in the idle flush, and in one transaction', async () => {
    const idle = holdIdle();
    const layer = make();
    await layer.count(); // opens the connection, so only the writes are counted below
    const calls = spyTransactions();

    layer.put('a', entry('a'));
    layer.put('b', entry('b'));
    layer.put('c', entry('c'));
    layer.putBlob('v-a', blob(10));
    layer.putBlob('v-b', blob(10));
    expect(calls).to.deep.equal([]);
    expect(idle.size).to.equal(1);
    expect(await layer.count()).to.deep.equal({ entries: 0, blobs: 0 });
    expect((await layer.getMany(['a'], t)).has('a')).to.equal(true);
    expect((await layer.getBlob('v-b'))?.size).to.equal(10);

    calls.length = 0;
    idle.run();
    await layer.flush(); // joins the flush the idle callback started
    expect(calls).to.deep.equal([{ stores: ['blobs', 'meta'], mode: 'readwrite' }]);
    expect(await layer.count()).to.deep.equal({ entries: 3, blobs: 2 });
  });

  it('without flush(), the real requestIdleCallback writes the queue within its timeout', async () => {
    const layer = make();
    layer.put('ada', entry('ada'));
    const deadline = performance.now() + 3_000;
    while ((await layer.count()).entries === 0) {
      expect(performance.now()).to.be.below(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('overlapping flushes merge: a flush during a flush joins it, and the queued rest is written before it settles', async () => {
    const layer = make();
    const calls = spyTransactions();
    layer.put('a', entry('a'));
    const first = layer.flush();
    layer.put('b', entry('b'));
    const second = layer.flush();
    expect(second).to.equal(first);
    await second;
    expect(await layer.count()).to.deep.equal({ entries: 2, blobs: 0 });
    expect(calls.filter((call) => call.mode === 'readwrite')).to.have.length(2);
  });

  it('evicts Blobs by count, least recently used first: a recently read one stays', async () => {
    const layer = make({ maxPictures: 3 });
    for (const version of ['a', 'b', 'c']) {
      t++;
      layer.putBlob(version, blob(10));
    }
    await layer.flush();
    t++;
    expect(await layer.getBlob('a')).to.exist;
    t++;
    layer.putBlob('d', blob(10));
    await layer.flush();

    expect(await layer.getBlob('b')).to.equal(undefined);
    for (const version of ['a', 'c', 'd']) expect(await layer.getBlob(version), version).to.exist;
    expect((await layer.count()).blobs).to.equal(3);
  });

  it('evicts Blobs by bytes, least recently used first, and never keeps a Blob over the whole budget', async () => {
    const layer = make({ maxBytes: 250 });
    t++;
    layer.putBlob('a', blob(100));
    t++;
    layer.putBlob('b', blob(100));
    await layer.flush();
    t++;
    expect(await layer.getBlob('a')).to.exist;
    t++;
    layer.putBlob('c', blob(100));
    layer.putBlob('huge', blob(251));
    await layer.flush();

    expect(await layer.getBlob('b')).to.equal(undefined);
    expect(await layer.getBlob('huge')).to.equal(undefined);
    expect(await layer.byteSize()).to.equal(200);
  });

  it('keeps at most maxPictures * 5 metadata entries, least recently used out first', async () => {
    const layer = make({ maxPictures: 1 });
    for (let i = 0; i < 5; i++) {
      t++;
      layer.put(`u${i}`, entry(`u${i}`));
    }
    await layer.flush();
    t++;
    expect((await layer.getMany(['u0'], t)).has('u0')).to.equal(true);
    t++;
    layer.put('u5', entry('u5'));
    await layer.flush();

    const found = await layer.getMany(['u0', 'u1', 'u2', 'u3', 'u4', 'u5'], t);
    expect([...found.keys()]).to.have.members(['u0', 'u2', 'u3', 'u4', 'u5']);
  });

  it('a QuotaExceededError during a flush evicts the older half of the Blobs and retries once', async () => {
    const layer = make();
    for (const version of ['a', 'b', 'c', 'd']) {
      t++;
      layer.putBlob(version, blob(10));
    }
    await layer.flush();

    // A fake: the real quota is a share of the whole disk and cannot be filled quickly in a test. The first Blob
    // put fails as a full disk would make it, after the entry's put was already issued in the same transaction.
    let failures = 1;
    let blobPuts = 0;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'blobs') {
        blobPuts++;
        if (failures-- > 0) throw new DOMException('fake: disk full', 'QuotaExceededError');
      }
      return put.call(this, value, key);
    };
    restores.push(() => (IDBObjectStore.prototype.put = put));

    t++;
    layer.put('ada', entry('ada'));
    layer.putBlob('e', blob(10));
    await layer.flush();

    expect(blobPuts).to.equal(2);
    expect(await layer.getBlob('a')).to.equal(undefined);
    expect(await layer.getBlob('b')).to.equal(undefined);
    for (const version of ['c', 'd', 'e']) expect(await layer.getBlob(version), version).to.exist;
    expect((await layer.getMany(['ada'], t)).has('ada')).to.equal(true);
  });

  it('a second QuotaExceededError drops the batch without rejecting, and the layer stays on', async () => {
    const layer = make();
    // A fake, as above: every Blob put fails.
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'blobs') throw new DOMException('fake: disk full', 'QuotaExceededError');
      return put.call(this, value, key);
    };
    restores.push(() => (IDBObjectStore.prototype.put = put));

    layer.put('ada', entry('ada'));
    layer.putBlob('a', blob(10));
    await layer.flush();
    expect(await layer.count()).to.deep.equal({ entries: 0, blobs: 0 });
    expect(layer.enabled).to.equal(true);
  });

  it('a failed read is a miss, never a rejection', async () => {
    const layer = make();
    layer.put('ada', entry('ada'));
    layer.putBlob('v-ada', blob(10));
    await layer.flush();
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = () => {
      throw new DOMException('fake: read failed', 'UnknownError');
    };
    restores.push(() => (IDBObjectStore.prototype.get = get));

    expect((await layer.getMany(['ada'], t)).size).to.equal(0);
    expect(await layer.getBlob('v-ada')).to.equal(undefined);
    expect(layer.enabled).to.equal(true);
  });

  it('no IndexedDB (private mode): enabled is false, every call is a miss or a no-op, and one warning says so', async () => {
    const warnings = captureConsole('warn');
    const layer = make({ indexedDB: undefined });
    expect(layer.enabled).to.equal(false);
    layer.put('ada', entry('ada'));
    layer.putBlob('v-ada', blob(10));
    await layer.flush();
    expect((await layer.getMany(['ada'], t)).size).to.equal(0);
    expect(await layer.getBlob('v-ada')).to.equal(undefined);
    await layer.delete('ada');
    await layer.clear();
    expect(await layer.count()).to.deep.equal({ entries: 0, blobs: 0 });
    expect(await layer.byteSize()).to.equal(0);
    expect(warnings).to.have.length(1);
    expect(String(warnings[0]![0])).to.match(/^\[ImageCache\] IndexedDB is off/);
  });

  it('an open that fails (here a newer version on disk) turns the layer off with one warning', async () => {
    const warnings = captureConsole('warn');
    const dbName = uniqueName();
    (await openDB(dbName, 2)).close();
    const layer = make({ dbName });
    expect(layer.enabled).to.equal(true); // not known before the first call opens it

    expect((await layer.getMany(['ada'], t)).size).to.equal(0);
    expect(layer.enabled).to.equal(false);
    layer.put('ada', entry('ada'));
    await layer.flush();
    expect(await layer.getBlob('v-ada')).to.equal(undefined);
    expect(warnings).to.have.length(1);
    expect(String(warnings[0]![0])).to.contain('VersionError');
  });

  it('an open that throws (storage blocked for the page) turns the layer off with one warning', async () => {
    const warnings = captureConsole('warn');
    const denied = {
      open() {
        throw new DOMException('fake: storage denied', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const layer = make({ indexedDB: denied });
    expect(await layer.count()).to.deep.equal({ entries: 0, blobs: 0 });
    expect(await layer.getBlob('x')).to.equal(undefined);
    expect(layer.enabled).to.equal(false);
    expect(warnings).to.have.length(1);
  });

  it('a connection closed under the layer is reopened on the next call', async () => {
    const opened: IDBOpenDBRequest[] = [];
    // Wraps the real factory to reach the connection, as the browser may close it at any moment.
    const factory = {
      open: (name: string, version?: number) => {
        const request = indexedDB.open(name, version);
        opened.push(request);
        return request;
      },
    } as unknown as IDBFactory;
    const layer = make({ indexedDB: factory });
    layer.put('ada', entry('ada'));
    await layer.flush();
    expect(opened).to.have.length(1);

    opened[0]!.result.close(); // fires no close event: the next transaction() throws InvalidStateError
    expect((await layer.getMany(['ada'], t)).has('ada')).to.equal(true);
    expect(opened).to.have.length(2);
    expect(layer.enabled).to.equal(true);
  });

  it('steps aside when another connection deletes the database, then works on a new one', async () => {
    const dbName = uniqueName();
    const layer = make({ dbName });
    layer.put('ada', entry('ada'));
    await layer.flush();

    await deleteDB(dbName); // would stay blocked if the layer kept its connection open
    expect((await layer.getMany(['ada'], t)).size).to.equal(0);
    layer.put('alan', entry('alan'));
    await layer.flush();
    expect((await layer.getMany(['alan'], t)).has('alan')).to.equal(true);
  });

  it('reads do not wait for a database another tab holds: a miss after a second, and the database once it opens', async () => {
    const warnings = captureConsole('warn');
    const dbName = uniqueName();
    const before = make({ dbName });
    before.put('ada', entry('ada'));
    before.putBlob('v-ada', blob(10));
    await before.flush();
    const held = await holdDatabase(dbName);

    const layer = make({ dbName });
    try {
      // Two reads waiting together: both answer, with one warning between them.
      const [found, stored] = await Promise.all([layer.getMany(['ada'], t), layer.getBlob('v-ada')]);
      expect(found.size).to.equal(0, 'a miss, answered while the database is held');
      expect(stored).to.equal(undefined);
      expect(await layer.getBlob('v-ada')).to.equal(undefined, 'and the next read too');
      expect(held.deleted()).to.equal(false, 'held all along');
      expect(layer.enabled).to.equal(true, 'held, not off');
      expect(warnings.map((args) => String(args[0]))).to.deep.equal([
        '[ImageCache] IndexedDB has not opened within 1000 ms (another tab may hold it); pictures are looked up without it until it does.',
      ]);
    } finally {
      await held.release();
    }
    layer.put('alan', entry('alan'));
    await layer.flush();
    expect((await layer.getMany(['alan'], t)).has('alan')).to.equal(true, 'the database, once it opened');
  });

  it('getBlob answers a Blob with the same bytes and type, and undefined when missing', async () => {
    const layer = make();
    const bytes = Uint8Array.from({ length: 2_000 }, (_, i) => (i * 7) % 251);
    layer.putBlob('v1', new Blob([bytes], { type: 'image/webp' }));
    await layer.flush();

    const stored = await layer.getBlob('v1');
    expect(stored).to.be.instanceOf(Blob);
    expect(stored!.type).to.equal('image/webp');
    expect(Array.from(new Uint8Array(await stored!.arrayBuffer()))).to.deep.equal(Array.from(bytes));
    expect(await layer.getBlob('v2')).to.equal(undefined);
  });

  it('delete forgets one user (queued or stored) and keeps the Blob; clear empties both stores', async () => {
    const layer = make();
    layer.put('ada', entry('ada'));
    layer.put('alan', entry('alan'));
    layer.putBlob('v-ada', blob(10));
    await layer.flush();

    await layer.delete('ada');
    expect([...(await layer.getMany(['ada', 'alan'], t)).keys()]).to.deep.equal(['alan']);
    expect(await layer.count()).to.deep.equal({ entries: 1, blobs: 1 });

    layer.put('grace', entry('grace'));
    await layer.delete('grace');
    expect((await layer.getMany(['grace'], t)).size).to.equal(0);

    layer.put('edsger', entry('edsger'));
    await layer.clear();
    expect((await layer.getMany(['alan', 'edsger'], t)).size).to.equal(0);
    expect(await layer.count()).to.deep.equal({ entries: 0, blobs: 0 });
  });

  it('logs hits and misses only in debug mode', async () => {
    const lines = captureConsole('log');
    const quiet = make();
    quiet.put('ada', entry('ada'));
    await quiet.flush();
    await quiet.getMany(['ada'], t);
    expect(lines).to.have.length(0);

    const dbName = uniqueName();
    const chatty = make({ dbName, debug: true });
    chatty.put('ada', entry('ada'));
    await chatty.flush();
    await chatty.getMany(['ada', 'alan'], t);
    const text = lines.map((line) => String(line[0]));
    expect(text).to.include('[ImageCache] IndexedDB HIT for user ada');
    expect(text).to.include('[ImageCache] IndexedDB MISS for user alan');
    await chatty.flush(); // its recency write logs too: keep that inside the capture
  });

  it('throws at construction on a misconfiguration', () => {
    expect(() => createIndexedDbLayer({ maxBytes: 0 })).to.throw(RangeError, /maxBytes/);
    expect(() => createIndexedDbLayer({ ttlMs: Number.NaN })).to.throw(RangeError, /ttlMs/);
    expect(() => createIndexedDbLayer({ dbName: '' })).to.throw(TypeError, /dbName/);
  });

  it('an entry\'s own shorter freshness wins over the layer\'s TTL ("no picture" is asked again soon)', async () => {
    const t = Date.now();
    const layer = make({ now: () => t });
    layer.put('nobody', { meta: null, freshUntil: t + 60_000 });
    await layer.flush();
    expect((await layer.getMany(['nobody'], t + 30_000)).has('nobody')).to.equal(true);
    expect((await layer.getMany(['nobody'], t + 90_000)).has('nobody')).to.equal(false);
  });

  it('reads back entries with and without copies and preview, as older pages kept them; a malformed one is a miss and goes', async () => {
    const dbName = uniqueName();
    const first = make({ dbName });
    first.put('seed', entry('seed'));
    await first.flush();
    const meta = entry('x').meta!;
    const records: Record<string, unknown> = {
      old: { ...meta, userId: 'old', variants: undefined, contentType: 'image/png' },
      new: { ...meta, userId: 'new', preview: '5a4a3ad9b59a2f4f7f' },
      badCopies: { ...meta, userId: 'badCopies', variants: [{ width: '64', url: 7, bytes: 1 }] },
      badWidth: { ...meta, userId: 'badWidth', variants: [{ width: 64.5, url: 'u', bytes: 1 }] },
      badPreview: { ...meta, userId: 'badPreview', preview: 42 },
      noUrl: { ...meta, userId: 'noUrl', url: undefined },
      someoneElse: { ...meta, userId: 'mallory' },
    };
    const db = await openDB(dbName);
    for (const [userId, value] of Object.entries(records)) {
      await db.put('meta', { userId, entry: { meta: value, freshUntil: t + 60_000 }, storedAt: t, usedAt: t });
    }
    await db.put('meta', { userId: 'notAnEntry', entry: 'junk', storedAt: t, usedAt: t });
    db.close();

    const reloaded = make({ dbName });
    const found = await reloaded.getMany([...Object.keys(records), 'notAnEntry'], t);
    expect([...found.keys()].sort()).to.deep.equal(['new', 'old']);
    expect(found.get('new')!.meta!.preview).to.equal('5a4a3ad9b59a2f4f7f');
    expect(found.get('old')!.meta!.variants).to.equal(undefined);
    await reloaded.flush();
    expect((await reloaded.count()).entries).to.equal(3, 'seed, old and new: the malformed ones were deleted');
  });

  it('keepBytes fetches only the versions not kept yet, and answers those it could not fetch', async () => {
    const layer = make();
    layer.putBlob('v-kept', blob(5));
    const asked: string[] = [];
    const fetcher = (async (url: string) => {
      asked.push(url);
      if (url === 'u-fail') throw new TypeError('Failed to fetch');
      return url === 'u-gone' ? new Response(null, { status: 404 }) : new Response(blob(7));
    }) as typeof fetch;
    const pictures = ['kept', 'ok', 'fail', 'gone'].map((name) => ({ version: `v-${name}`, url: `u-${name}` }));
    expect(await layer.keepBytes(pictures, fetcher)).to.deep.equal(['v-fail']);
    expect(asked).to.deep.equal(['u-ok', 'u-fail', 'u-gone']);
    expect((await layer.getBlob('v-ok'))?.size).to.equal(7);
    expect((await layer.getBlob('v-kept'))?.size).to.equal(5);
    expect(await layer.getBlob('v-gone')).to.equal(undefined);
  });
});
