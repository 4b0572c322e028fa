// What the worker keeps and serves, in Chromium, against an image service on another origin that a test controls
// (elements/testing/hostile-service.mjs): only the listed origins' pictures, only those marked cacheable, only raster
// images, and user ids that are Object.prototype's names as any other.
import { expect } from '@esm-bundle/chai';
import { PictureStore } from '../elements/store/picture-store.ts';
import { providing } from '../elements/monitor/testing/show-pictures.ts';
import {
  hostileApi,
  hostileBase,
  hostileRequests,
  HOSTILE_VERSION,
  resetHostile,
} from '../elements/testing/hostile.ts';
import { fallbackText, show } from '../elements/testing/watch-images.ts';
import { ask, fetchPicture, startWorker, stats, stopWorkers } from './testing/worker.ts';

/** A copy on the hostile service, served as `type` with `cacheControl` (its default: immutable for a year). */
const picture = async (user: string, query = '') =>
  `${await hostileBase()}/images/${user}/${HOSTILE_VERSION}/64.webp?run=${crypto.randomUUID()}${query}`;
const imageRequests = async () => (await hostileRequests()).filter((line) => line.includes('/images/'));

describe('the service worker, on what the image service marked cacheable', () => {
  before(async () => {
    await startWorker(`origins=${encodeURIComponent(await hostileBase())}`);
  });
  after(stopWorkers);

  for (const cacheControl of ['no-store', 'private, max-age=600', 'no-cache', 'max-age=0', 'public', '']) {
    it(`keeps nothing answered with Cache-Control ${JSON.stringify(cacheControl)}: fetched again each time`, async () => {
      const url = await picture('bea', `&cc=${encodeURIComponent(cacheControl)}`);
      expect(await fetchPicture(url)).to.include({ status: 200, served: 'miss' });
      // The figures wait for whatever the worker is still keeping.
      expect((await stats()).totalEntries).to.equal(0);
      expect(await fetchPicture(url)).to.include({ status: 200, served: 'miss' });
    });
  }

  it('keeps what is answered with a max-age or immutable', async () => {
    for (const [i, cacheControl] of ['max-age=600', 'public, immutable'].entries()) {
      const url = await picture('cal', `&cc=${encodeURIComponent(cacheControl)}`);
      expect((await fetchPicture(url)).served).to.equal('miss');
      expect((await stats()).totalEntries).to.equal(i + 1);
      expect((await fetchPicture(url)).served).to.equal('hit', cacheControl);
    }
    await ask({ type: 'clear' });
  });

  for (const type of ['svg', 'html', 'none']) {
    it(`serves no picture that is not a raster image (${type}), and keeps none`, async () => {
      const failed = await fetch(await picture('dan', `&type=${type}`)).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      expect(failed).to.equal('TypeError', 'a network error');
      expect((await stats()).totalEntries).to.equal(0);
    });
  }

  it('the element shows the fallback and fires picture-error for a picture the worker refused', async () => {
    const store = new PictureStore({
      apiBase: await hostileApi('svg-bytes'),
      indexedDB: null,
      localStorage: null,
      broadcast: false,
    });
    const parent = providing(store);
    try {
      const shown = show(parent, 'eve', 'Eve Ill');
      expect(await shown.outcome).to.equal('picture-error');
      await shown.element.updateComplete;
      expect(fallbackText(shown.element)).to.equal('EI');
    } finally {
      parent.remove();
      store.close();
    }
  });

  it('does not serve an entry of its cache that is not a raster image (the Cache API tampered with)', async () => {
    const url = await picture('fay');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="top.hostileRan=1"/>';
    const headers = {
      'Content-Type': 'image/svg+xml',
      'x-sw-stored-at': String(Date.now()),
      'x-sw-fresh-until': String(Date.now() + 3_600_000),
      'x-sw-bytes': String(svg.length),
    };
    await (await caches.open('cached-profile-pictures-pictures-v2')).put(url, new Response(svg, { headers }));
    const response = await fetch(url);
    expect(response.headers.get('content-type')).to.equal('image/png');
    await ask({ type: 'clear' });
  });

  it('keeps and forgets the pictures of users named __proto__ and constructor as any other', async () => {
    const urls = await Promise.all(['__proto__', 'constructor'].map((user) => picture(user)));
    for (const url of urls) expect((await fetchPicture(url)).served).to.equal('miss');
    expect((await stats()).totalEntries).to.equal(2);
    for (const url of urls) expect((await fetchPicture(url)).served).to.equal('hit');
    expect(await ask({ type: 'invalidate', userId: '__proto__' })).to.equal(1);
    expect(await ask({ type: 'invalidate', userId: 'hasOwnProperty' })).to.equal(0);
    expect((await stats()).totalEntries).to.equal(1);
    expect((await fetchPicture(urls[1]!)).served).to.equal('hit', "constructor's is still kept");
    await ask({ type: 'clear' });
  });
});

describe("the service worker and the image service's origins", () => {
  afterEach(stopWorkers);
  // Chromium keeps the static routes of the first worker that controlled a page when another takes over: the worker
  // that lists the hostile origin comes first.

  it('caches the pictures of the origins it was given', async () => {
    await startWorker(`origins=${encodeURIComponent(await hostileBase())}`);
    const url = await picture('ada');
    await resetHostile();
    expect(await fetchPicture(url)).to.include({ status: 200, served: 'miss' });
    expect((await stats()).totalEntries).to.equal(1);
    expect(await fetchPicture(url)).to.include({ status: 200, served: 'hit' });
    expect(await imageRequests()).to.have.length(1);
  });

  it("caches the pictures of its own origin alone by default: another host's are not its business", async () => {
    await startWorker();
    const url = await picture('ada');
    expect(await fetchPicture(url)).to.include({ status: 200, served: undefined });
    expect(await fetchPicture(url)).to.include({ status: 200, served: undefined });
    expect((await stats()).totalEntries).to.equal(0);
  });
});
