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
    url: `https://pictures.example/images/${userId}/0123456789abcdef/256.webp`,
    contentType: 'image/webp',
    bytes: 2_560,
    expiresAt: now + 3_600_000,
    variants: [64, 256].map((width) => ({
      width,
      url: `https://pictures.example/images/${userId}/0123456789abcdef/${width}.webp`,
      bytes: width * 10,
    })),
    preview: '5a4a3ad9b59a2f4f7f',
  });

  it('keeps an entry with copies and preview, as the service answers it', () => {
    const layer = createLocalStorageLayer({ namespace });
    layer.put('ada', { meta: meta('ada'), freshUntil: now + 60_000 });
    expect(createLocalStorageLayer({ namespace }).get('ada', now)).to.deep.equal({
      meta: meta('ada'),
      freshUntil: now + 60_000,
    });
  });

  it('reads back entries kept by older pages, without copies or preview; a malformed one is a miss and is dropped', () => {
    const { variants: _variants, preview: _preview, ...old } = meta('old');
    const { preview: _colours, ...imagePreview } = meta('imagePreview');
    const written: Record<string, unknown> = {
      old: { meta: old, freshUntil: now + 60_000 },
      // Kept while previews were 16-px images: shown, without a preview.
      imagePreview: {
        meta: { ...imagePreview, placeholder: 'data:image/webp;base64,UklGRg==' },
        freshUntil: now + 60_000,
      },
      badCopies: {
        meta: { ...meta('badCopies'), variants: [{ width: '64', url: 7, bytes: 1 }] },
        freshUntil: now + 60_000,
      },
      badWidth: {
        meta: { ...meta('badWidth'), variants: [{ width: 64.5, url: 'https://pictures.example/u', bytes: 1 }] },
        freshUntil: now + 60_000,
      },
      copiesNotAList: { meta: { ...meta('copiesNotAList'), variants: '64w' }, freshUntil: now + 60_000 },
      badPreview: { meta: { ...meta('badPreview'), preview: { src: 'x' } }, freshUntil: now + 60_000 },
      noExpiry: { meta: { ...meta('noExpiry'), expiresAt: 'soon' }, freshUntil: now + 60_000 },
      noFreshness: { meta: meta('noFreshness') },
    };
    for (const [userId, value] of Object.entries(written)) localStorage.setItem(key(userId), JSON.stringify(value));
    localStorage.setItem(key('notJson'), '{"meta": {"userId"');
    const logged: string[] = [];
    const layer = createLocalStorageLayer({ namespace, log: (message) => logged.push(message) });
    const answered = Object.fromEntries(
      [...Object.keys(written), 'notJson'].map((userId) => [userId, layer.get(userId, now) !== undefined]),
    );
    expect(answered).to.deep.equal({
      old: true,
      imagePreview: true,
      badCopies: false,
      badWidth: false,
      copiesNotAList: false,
      badPreview: false,
      noExpiry: false,
      noFreshness: false,
      notJson: false,
    });
    expect(layer.get('old', now)!.meta).to.deep.equal(old);
    for (const userId of Object.keys(answered).filter((id) => !answered[id]))
      expect(localStorage.getItem(key(userId)), userId).to.equal(null);
    expect(logged).to.have.length(7);
  });
});

describe('LocalStorage layer, tampered with', () => {
  const now = Date.now();
  const namespace = `test-${crypto.randomUUID()}`;
  afterEach(() => createLocalStorageLayer({ namespace }).clear());

  it('drops an entry naming anything but an http(s) picture, or a preview other than three colours in hex', () => {
    const good = (userId: string): PictureMeta => ({
      userId,
      version: '0123456789abcdef',
      url: `https://pictures.example/images/${userId}/0123456789abcdef/256.webp`,
      contentType: 'image/webp',
      bytes: 2_560,
      expiresAt: now + 3_600_000,
      variants: [{ width: 64, url: `http://127.0.0.1:8787/images/${userId}/0123456789abcdef/64.webp`, bytes: 640 }],
      preview: '5a4a3ad9b59a2f4f7f',
    });
    const svg = 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
    const tampered: Record<string, Partial<PictureMeta>> = {
      svgUrl: { url: svg },
      scriptUrl: { url: 'javascript:alert(1)' },
      blobUrl: { url: `blob:${location.origin}/0b9f2f5e-0000-4000-8000-000000000000` },
      relativeUrl: { url: '/images/relativeUrl/0123456789abcdef/256.webp' },
      spacedUrl: { url: 'https://pictures.example/a.webp 1w, data:image/svg+xml,<svg/>' },
      urlList: { url: ['https://pictures.example/a.webp'] as unknown as string },
      svgCopy: { variants: [{ width: 64, url: svg, bytes: 1 }] },
      htmlCopy: { variants: [{ width: 64, url: 'data:text/html,<script>alert(1)</script>', bytes: 1 }] },
      cssPreview: { preview: `${'3b5b7a'.repeat(2)});background:url(https://pictures.example/t)` },
      imagePreview: { preview: 'data:image/webp;base64,UklGRg==' },
      shortPreview: { preview: '3b5b7a' },
    };
    for (const [userId, change] of Object.entries({ good: {}, ...tampered })) {
      localStorage.setItem(
        `cpp:v1:${namespace}:${userId}`,
        JSON.stringify({ meta: { ...good(userId), ...change }, freshUntil: now + 60_000 }),
      );
    }
    const layer = createLocalStorageLayer({ namespace });
    expect(layer.get('good', now)?.meta).to.deep.equal(good('good'));
    const answered = Object.keys(tampered).filter((userId) => layer.get(userId, now) !== undefined);
    expect(answered).to.deep.equal([]);
    for (const userId of Object.keys(tampered))
      expect(localStorage.getItem(`cpp:v1:${namespace}:${userId}`), userId).to.equal(null);
  });
});
