// A CMS that sanitizes what authors write with DOMPurify: the configuration the README gives keeps the tags and the
// attributes they read, so a pasted snippet shows the picture. DOMPurify's default removes every element it does not
// know, custom elements included (keeping their content), so without it the tags never reach the page.
import { expect } from '@esm-bundle/chai';
import DOMPurify, { type Config } from 'dompurify';
import { CacheDashboard } from './cache-dashboard/cache-dashboard.ts';
import { CachedProfilePicture } from './cached-profile-picture/cached-profile-picture.ts';
import { PictureStoreProvider } from './store/picture-store-provider.ts';
import { seed, users } from './testing/service.ts';
import { pictureSrc } from './testing/watch-images.ts';

/**
 * As in the README. `service-worker` is left out on purpose: which worker controls the site is not an author's choice.
 */
const CMS_CONFIG: Config = {
  ADD_TAGS: ['cached-profile-picture', 'cache-dashboard', 'picture-store-provider'],
  ADD_ATTR: [
    'user-id',
    'label',
    'initials',
    'decorative',
    'size',
    'shape',
    'loading',
    'api-base',
    'position',
    'open',
    'debug',
    'events',
  ],
};

/** A 1×1 GIF: the placeholder an author put inside the tag, shown until the script has loaded. */
const PLACEHOLDER = 'data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=';

/** What an author pastes: a provider around a picture with its placeholder, and something a sanitizer must remove. */
const snippet = (userId: string) => `<p>Written by
  <picture-store-provider api-base="/api">
    <cached-profile-picture user-id="${userId}" label="Ada Lovelace" size="64" shape="rounded"><img src="${PLACEHOLDER}" alt="Ada Lovelace" width="64" height="64"></cached-profile-picture>
  </picture-store-provider>
  <img src="data:," onerror="window.cmsScriptRan = true">
</p>`;

describe('a CMS snippet sanitized with DOMPurify', () => {
  let article: HTMLElement;
  beforeEach(() => {
    article = document.createElement('article');
    document.body.append(article);
  });
  afterEach(() => article.remove());

  it('keeps the tags and their attributes with the README configuration, and the picture shows', async () => {
    const [userId] = users('cms', 1);
    const [meta] = await seed([userId!]);
    const clean = DOMPurify.sanitize(snippet(userId!), CMS_CONFIG);
    expect(clean).to.not.include('onerror', 'the rest is still sanitized');

    const loaded = new Promise<Event>((resolve, reject) => {
      article.addEventListener('picture-load', resolve, { once: true });
      article.addEventListener('picture-error', () => reject(new Error('picture-error')), { once: true });
    });
    article.innerHTML = clean;
    await loaded;
    const picture = article.querySelector('cached-profile-picture')!;
    expect(picture).to.be.instanceOf(CachedProfilePicture);
    expect([picture.userId, picture.label, picture.size, picture.shape]).to.deep.equal([
      userId,
      'Ada Lovelace',
      64,
      'rounded',
    ]);
    expect(picture.source).to.equal(article.querySelector('picture-store-provider')!.store, "the provider's store");
    expect(pictureSrc(picture)).to.equal(new URL(meta!.url, location.href).href);
    const image = picture.shadowRoot!.querySelector('img')!;
    expect(image.naturalWidth).to.be.greaterThan(0);
  });

  it('keeps every attribute the three elements read but service-worker', () => {
    const read = [CachedProfilePicture, CacheDashboard, PictureStoreProvider].flatMap(
      (element) => element.observedAttributes,
    );
    const kept = DOMPurify.sanitize(
      `<cached-profile-picture ${read.map((name) => `${name}="x"`).join(' ')}></cached-profile-picture>`,
      { ...CMS_CONFIG, RETURN_DOM_FRAGMENT: true },
    ).firstElementChild!.getAttributeNames();
    expect(read.filter((name) => !kept.includes(name))).to.deep.equal(['service-worker']);
  });

  it("removes the tags with DOMPurify's default configuration: only the placeholder image is left", () => {
    const clean = DOMPurify.sanitize(snippet('ada'));
    expect(clean)
      .to.not.include('cached-profile-picture')
      .and.not.include('picture-store-provider')
      .and.not.include('user-id');
    expect(clean).to.include(`<img src="${PLACEHOLDER}" alt="Ada Lovelace" width="64" height="64">`);
  });
});
