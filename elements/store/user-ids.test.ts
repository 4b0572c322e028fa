// User ids are data, in Chromium: `__proto__`, `constructor` and `hasOwnProperty` are valid ids, and the page never
// takes Object.prototype's for a user's picture. Shown by <cached-profile-picture> against the real service (which
// has pictures for some of them) and against a hostile one that answers batches naming, or leaving out, those keys.
import { expect } from '@esm-bundle/chai';
import type { PictureMeta } from '../../contract/picture.ts';
import { providing } from '../monitor/testing/show-pictures.ts';
import { hostileApi } from '../testing/hostile.ts';
import { seed } from '../testing/service.ts';
import { fallbackText, pictureSrc, show } from '../testing/watch-images.ts';
import { PictureStore } from './picture-store.ts';

/** Object.prototype's own names, all of them valid user ids. */
const WITH_PICTURES = ['__proto__', 'constructor'];
const WITHOUT = ['hasOwnProperty', 'toString'];

describe("user ids that are Object.prototype's names", () => {
  const cleanup: (() => unknown)[] = [];
  const failures: unknown[] = [];
  const onFailure = (event: ErrorEvent | PromiseRejectionEvent) =>
    failures.push('reason' in event ? event.reason : event.error);
  let pictures: PictureMeta[];

  before(async () => {
    const { token } = (await (await fetch('/__admin-token')).json()) as { token: string };
    for (const id of WITHOUT)
      await fetch(`/api/pictures/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    pictures = await seed(WITH_PICTURES);
  });
  beforeEach(() => {
    failures.length = 0;
    addEventListener('error', onFailure);
    addEventListener('unhandledrejection', onFailure);
  });
  afterEach(async () => {
    removeEventListener('error', onFailure);
    removeEventListener('unhandledrejection', onFailure);
    for (const step of cleanup.splice(0).reverse()) await step();
    expect(failures, 'no exception anywhere').to.deep.equal([]);
  });

  /** A real store for `apiBase` (LocalStorage on, no IndexedDB), providing for the elements put in `parent`. */
  function storeFor(apiBase: string, more: ConstructorParameters<typeof PictureStore>[0] = {}) {
    const store = new PictureStore({ apiBase, indexedDB: null, broadcast: false, ...more });
    const parent = providing(store);
    cleanup.push(
      () => store.clear(),
      () => store.close(),
      () => parent.remove(),
    );
    return { store, parent };
  }

  it('on the real service: each its own picture, or the fallback; after a reload, the same from LocalStorage', async () => {
    const { store, parent } = storeFor('/api');
    const shown = [...WITH_PICTURES, ...WITHOUT].map((id) => show(parent, id, 'Pro To'));
    expect(await Promise.all(shown.slice(0, 2).map((one) => one.outcome))).to.deep.equal([
      'picture-load',
      'picture-load',
    ]);
    expect(shown.slice(0, 2).map((one) => pictureSrc(one.element))).to.deep.equal(
      pictures.map((meta) => new URL(meta.url, location.href).href),
    );
    for (const [i, id] of WITHOUT.entries()) {
      const one = shown[WITH_PICTURES.length + i]!;
      expect((await store.get(id)).meta, 'answered: no picture').to.equal(null);
      await one.element.updateComplete;
      expect(pictureSrc(one.element)).to.equal(undefined);
      expect(fallbackText(one.element)).to.equal('PT');
    }

    const reloaded = storeFor('/api').store;
    const known = [...WITH_PICTURES, ...WITHOUT]
      .map((id) => reloaded.peek(id))
      .map((answer) => [answer?.layer, answer?.meta?.version ?? null]);
    expect(known).to.deep.equal([
      ...pictures.map((meta) => ['localStorage', meta.version]),
      ['localStorage', null],
      ['localStorage', null],
    ]);
  });

  it("a batch answer that leaves them out: no picture for any, never Object.prototype's members", async () => {
    const { store, parent } = storeFor(await hostileApi('empty'));
    const errors: string[] = [];
    parent.addEventListener('picture-error', (event) =>
      errors.push((event as CustomEvent<{ userId: string }>).detail.userId),
    );
    const resolved = await Promise.all([...WITH_PICTURES, ...WITHOUT].map((id) => store.get(id)));
    expect(resolved.map((resolution) => resolution.meta)).to.deep.equal([null, null, null, null]);
    const shown = [...WITH_PICTURES, ...WITHOUT].map((id) => show(parent, id, 'Pro To'));
    for (const one of shown) {
      await one.element.updateComplete;
      expect(fallbackText(one.element)).to.equal('PT');
      expect(one.urls).to.deep.equal([]);
    }
    expect(errors, 'no picture is not an error').to.deep.equal([]);
  });

  it("a batch answer naming `__proto__` as its own key: that user's picture, and no other user gets it", async () => {
    const { parent } = storeFor(await hostileApi('own-proto'));
    const [proto, ctor] = ['__proto__', 'constructor'].map((id) => show(parent, id, 'Pro To'));
    expect(await proto!.outcome).to.equal('picture-load');
    expect(pictureSrc(proto!.element)).to.match(/\/images\/__proto__\//);
    await ctor!.element.updateComplete;
    expect(fallbackText(ctor!.element)).to.equal('PT');
    expect(ctor!.urls).to.deep.equal([]);
  });
});
