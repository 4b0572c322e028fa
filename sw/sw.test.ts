// The worker in Chromium, against the real image service behind the test server, counting what reached it.
import { expect } from '@esm-bundle/chai';
import type { PictureMeta } from '../contract/picture.ts';
import { PictureStore } from '../elements/store/picture-store.ts';
import type { ResolutionReport } from '../elements/store/types.ts';
import { requests, resetRequests, seed, users } from '../elements/testing/service.ts';
import { sleep } from '../scripts/testing/wait.ts';
import { ask, fetchPicture, startWorker, stats, stopWorkers } from './testing/worker.ts';

const imageRequests = async () => (await requests()).filter((line) => line.includes('/images/'));
/** The path of a picture's URL, on the test server's origin, which counts it on its way to the service. */
const counted = (meta: Pick<PictureMeta, 'url'>) => new URL(meta.url, location.href).pathname;

describe('the service worker', () => {
  afterEach(stopWorkers);

  it('answers a picture it fetched once from its cache, with no request reaching the service', async () => {
    await startWorker();
    const [meta] = await seed(users('sw-hit', 1));
    await resetRequests();
    const first = await fetchPicture(counted(meta!));
    expect(first).to.include({ status: 200, bytes: meta!.bytes, served: 'miss' });
    expect(await imageRequests()).to.have.length(1, JSON.stringify(await requests()));

    await resetRequests();
    const second = await fetchPicture(counted(meta!));
    expect(second).to.include({ status: 200, bytes: meta!.bytes, served: 'hit' });
    expect(await imageRequests()).to.deep.equal([], 'the worker answered');
    expect(await stats()).to.include({
      totalEntries: 1,
      validEntries: 1,
      expiredEntries: 0,
      hits: 1,
      misses: 1,
      stale: 0,
    });
  });

  it('keeps each copy of a picture the page asks for as its own entry, by its URL, and fetches none other', async () => {
    await startWorker();
    const [meta] = await seed(users('sw-copies', 1), 0, 300);
    const [narrow, wide] = [meta!.variants[0]!, meta!.variants.at(-1)!];
    expect(new URL(narrow.url, location.href).pathname).to.match(/^\/images\/[^/]+\/[0-9a-f]+\/\d+\.webp$/);
    expect(narrow.width).to.be.below(wide.width);
    await resetRequests();
    for (const copy of [narrow, wide])
      expect(await fetchPicture(counted(copy))).to.include({ status: 200, bytes: copy.bytes, served: 'miss' });
    for (const copy of [narrow, wide])
      expect(await fetchPicture(counted(copy))).to.include({ status: 200, bytes: copy.bytes, served: 'hit' });
    expect(await imageRequests()).to.deep.equal(
      [counted(narrow), counted(wide)].map((path) => `GET ${path}`),
      'each copy fetched once',
    );
    expect(await stats()).to.include({ totalEntries: 2, totalSizeKB: Math.round((narrow.bytes + wide.bytes) / 1024) });
  });

  it('keeps at most 200 pictures: of 201, the least recently used goes', async function () {
    this.timeout(60_000);
    await startWorker();
    const metas = await seed(users('sw-bound', 201));
    for (const meta of metas) await fetchPicture(counted(meta));
    expect(await stats()).to.include({ totalEntries: 200, misses: 201 });
    expect((await fetchPicture(counted(metas[1]!))).served).to.equal('hit', 'the second one is still kept');
    // Fetched again: the browser's HTTP cache may answer that, but the worker no longer had it.
    expect((await fetchPicture(counted(metas[0]!))).served).to.equal(
      'miss',
      'the first one, used least recently, went',
    );
  });

  it('keeps the pictures within its byte budget, the most recently used', async () => {
    const metas = await seed(users('sw-bytes', 5));
    const budget = metas[2]!.bytes + metas[3]!.bytes + metas[4]!.bytes;
    await startWorker(`maxBytes=${budget}`);
    for (const meta of metas) await fetchPicture(counted(meta));
    const { totalEntries, totalSizeKB, maxBytes } = await stats();
    expect({ totalEntries, maxBytes }).to.deep.equal({ totalEntries: 3, maxBytes: budget });
    expect(totalSizeKB).to.equal(Math.round(budget / 1024));
    expect((await fetchPicture(counted(metas[4]!))).served).to.equal('hit');
    expect((await fetchPicture(counted(metas[1]!))).served).to.equal('miss');
  });

  it('fetches an expired picture again while online, and counts it expired until then', async () => {
    await startWorker('maxAgeSeconds=1');
    const [meta] = await seed(users('sw-expiry', 1));
    await fetchPicture(counted(meta!));
    expect(await stats()).to.include({ validEntries: 1, expiredEntries: 0 });
    await sleep(1_100); // a clock-based rule: the picture's second runs out
    expect(await stats()).to.include({ totalEntries: 1, validEntries: 0, expiredEntries: 1 });
    expect((await fetchPicture(counted(meta!))).served).to.equal('miss', 'fetched again, not served stale');
    expect(await stats()).to.include({ validEntries: 1, expiredEntries: 0, misses: 2, stale: 0 });
  });

  it('invalidates a user, a version, or everything', async () => {
    await startWorker();
    const [ada, bob] = users('sw-inval', 2);
    const [adaOld, bobMeta] = await seed([ada!, bob!]);
    for (const meta of [adaOld!, bobMeta!]) await fetchPicture(counted(meta));
    // A new upload removes the old version from the service; the worker still has it.
    const [adaNew] = await seed([ada!], 1);
    await fetchPicture(counted(adaNew!));
    expect((await stats()).totalEntries).to.equal(3);

    expect(await ask({ type: 'invalidate', userId: ada! })).to.equal(2, "both of ada's versions");
    expect((await stats()).totalEntries).to.equal(1);
    expect((await fetchPicture(counted(adaNew!))).served).to.equal('miss');

    expect(await ask({ type: 'invalidate-version', version: bobMeta!.version })).to.equal(1);
    expect((await fetchPicture(counted(bobMeta!))).served).to.equal('miss');

    await ask({ type: 'clear' });
    expect(await stats()).to.include({ totalEntries: 0, totalSizeKB: 0, totalSizeMB: '0.00', hits: 0, misses: 0 });
  });

  it('answers a bad request with what was wrong, and keeps its pictures', async () => {
    await startWorker();
    const [meta] = await seed(users('sw-bad', 1));
    await fetchPicture(counted(meta!));
    const failure = (request: unknown) =>
      ask(request as Parameters<typeof ask>[0]).then(
        () => 'answered',
        (error: Error) => error.message,
      );
    expect(await failure({ type: 'invalidate', userId: '../etc' })).to.match(/Invalid user id "..\/etc"/);
    expect(await failure({ type: 'invalidate-version', version: 'latest' })).to.match(/Invalid version "latest"/);
    expect(await failure({ type: 'warm', urls: 'all' })).to.match(/warm takes a list of URLs/);
    expect(await failure({ type: 'explode' })).to.match(/Unknown request .*explode.*expected one of stats/);
    expect(await failure(null)).to.match(/Unknown request null/);
    expect((await stats()).totalEntries).to.equal(1);
  });

  it("deletes its own caches of other versions when it activates, and nobody else's", async () => {
    await (await caches.open('cached-profile-pictures-pictures-v0')).put('/old', new Response('old'));
    await caches.open('the-site-s-own-cache');
    await startWorker();
    const names = await caches.keys();
    expect(names).not.to.include('cached-profile-pictures-pictures-v0');
    expect(names).to.include('the-site-s-own-cache');
    await caches.delete('the-site-s-own-cache');
  });

  it('is what the store reports as where the bytes came from: the worker for a hit, the network for a miss', async () => {
    await startWorker();
    const [kept, fresh] = await seed(users('sw-store', 2));
    await fetchPicture(kept!.url);
    const reports: ResolutionReport[] = [];
    const store = new PictureStore({
      indexedDB: null,
      localStorage: null,
      broadcast: false,
      monitor: { record: (report) => reports.push(report) },
    });
    for (const meta of [kept!, fresh!]) {
      const resolution = await store.get(meta.userId);
      const img = Object.assign(new Image(), { src: resolution.meta!.url });
      await img.decode();
      store.loaded(resolution, 1);
    }
    store.close();
    expect(reports.filter((report) => report.source).map((report) => [report.userId, report.source])).to.deep.equal([
      [kept!.userId, 'serviceWorker'],
      [fresh!.userId, 'network'],
    ]);
  });

  it('uses its defaults for settings it cannot read in its URL', async () => {
    await startWorker('maxEntries=many&maxBytes=-1');
    expect(await stats()).to.include({ maxEntries: 200, maxBytes: 25 * 1024 * 1024 });
  });
});
