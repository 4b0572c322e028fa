// The LocalStorage layer in Chromium, on the page's real LocalStorage, each test under a namespace of its own.
import { expect } from '@esm-bundle/chai';
import type { PictureMeta } from '../../../contract/picture.ts';
import { createLocalStorageLayer } from './local-storage.ts';

describe('LocalStorage layer', () => {
  const now = Date.now();
  let namespace: string;
  beforeEach(() => {
    namespace = `test-${crypto.randomUUID()}`;
  });
  afterEach(() => createLocalStorageLayer({ namespace }).clear());

  const key = (userId: string) => `cpp:v1:${namespace}:${userId}`;
  const meta = (userId: string): PictureMeta => ({
    userId,
    version: '0123456789abcdef',
    url: `/images/${userId}/0123456789abcdef/256.webp`,
    contentType: 'image/webp',
    bytes: 2_560,
    expiresAt: now + 3_600_000,
    variants: [64, 256].map((width) => ({ width, url: `/images/${userId}/0123456789abcdef/${width}.webp`, bytes: width * 10 })),
    placeholder: 'data:image/webp;base64,UklGRg==',
  });

  it('keeps an entry with copies and preview, as the service answers it', () => {
    const layer = createLocalStorageLayer({ namespace });
    layer.set('ada', { meta: meta('ada'), freshUntil: now + 60_000 });
    expect(createLocalStorageLayer({ namespace }).get('ada', now)).to.deep.equal({ meta: meta('ada'), freshUntil: now + 60_000 });
  });

  it('reads back entries kept by older pages, without copies or preview; a malformed one is a miss and is dropped', () => {
    const { variants: _variants, placeholder: _placeholder, ...old } = meta('old');
    const written: Record<string, unknown> = {
      old: { meta: old, freshUntil: now + 60_000 },
      badCopies: { meta: { ...meta('badCopies'), variants: [{ width: '64', url: 7, bytes: 1 }] }, freshUntil: now + 60_000 },
      badWidth: { meta: { ...meta('badWidth'), variants: [{ width: 64.5, url: 'u', bytes: 1 }] }, freshUntil: now + 60_000 },
      copiesNotAList: { meta: { ...meta('copiesNotAList'), variants: '64w' }, freshUntil: now + 60_000 },
      badPreview: { meta: { ...meta('badPreview'), placeholder: { src: 'x' } }, freshUntil: now + 60_000 },
      noExpiry: { meta: { ...meta('noExpiry'), expiresAt: 'soon' }, freshUntil: now + 60_000 },
      noFreshness: { meta: meta('noFreshness') },
    };
    for (const [userId, value] of Object.entries(written)) localStorage.setItem(key(userId), JSON.stringify(value));
    localStorage.setItem(key('notJson'), '{"meta": {"userId"');
    const logged: string[] = [];
    const layer = createLocalStorageLayer({ namespace, log: (message) => logged.push(message) });
    const answered = Object.fromEntries([...Object.keys(written), 'notJson'].map((userId) => [userId, layer.get(userId, now) !== undefined]));
    expect(answered).to.deep.equal({ old: true, badCopies: false, badWidth: false, copiesNotAList: false, badPreview: false, noExpiry: false, noFreshness: false, notJson: false });
    expect(layer.get('old', now)!.meta).to.deep.equal(old);
    for (const userId of Object.keys(answered).filter((id) => id !== 'old')) expect(localStorage.getItem(key(userId)), userId).to.equal(null);
    expect(logged).to.have.length(7);
  });
});
