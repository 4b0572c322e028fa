// The worker's cache of the site's own files, in Chromium's Cache Storage (the page has the same API as the worker).
import { expect } from '@esm-bundle/chai';
import { SiteCache } from './site-cache.ts';

describe('SiteCache', () => {
  const cacheName = 'site-cache-test';
  afterEach(() => caches.delete(cacheName));

  it('writes the bundle when its version is new, and only reads when it is the one kept', async () => {
    const site = new SiteCache({ cacheName, origin: location.origin, precache: [] });
    const request = new Request(new URL('/cached-profile-picture.js', location.origin));
    expect(site.strategy(new URL(request.url))).to.equal('network-first');
    const bundle = (etag: string, text: string) =>
      Promise.resolve(new Response(text, { headers: { ETag: etag, 'Content-Type': 'text/javascript' } }));
    const puts: string[] = [];
    const put = Cache.prototype.put;
    Cache.prototype.put = function (this: Cache, key: RequestInfo | URL, response: Response) {
      puts.push(response.headers.get('ETag') ?? '');
      return put.call(this, key, response);
    };
    try {
      for (const [etag, text] of [
        ['"v1"', 'one'],
        ['"v1"', 'one'],
        ['"v1"', 'one'],
        ['"v2"', 'two'],
      ]) {
        const pending: Promise<unknown>[] = [];
        const answer = await site.respond(request, 'network-first', (work) => pending.push(work), bundle(etag!, text!));
        expect(await answer.text()).to.equal(text);
        await Promise.all(pending);
      }
    } finally {
      Cache.prototype.put = put;
    }
    expect(puts).to.deep.equal(['"v1"', '"v2"'], 'one write per version');
    const kept = await (await caches.open(cacheName)).match(request.url);
    expect(await kept!.text()).to.equal('two');
  });
});
